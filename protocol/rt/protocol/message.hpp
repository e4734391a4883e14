#pragma once

// A client message after decoding, whatever serializer carried it:
//   vsn 1.0.0  {"topic":..,"event":..,"payload":..,"ref":..,"join_ref":..}
//   vsn 2.0.0  [join_ref, ref, topic, event, payload]   (text)
//              kind 0 push / kind 3 user broadcast push   (binary)

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/value.hpp>

#include "rt/protocol/error.hpp"

namespace rt::protocol {

/// A client-chosen reference (`ref` or `join_ref`), kept as the exact JSON
/// text the client sent so it is echoed verbatim: `"7"`, `7`, or null.
class ref_value {
public:
  ref_value() = default;

  /// From JSON text already validated (e.g. a slice of the received frame).
  static ref_value from_json(std::string_view json_text) {
    ref_value r;
    if (json_text != "null")
      r.json_ = std::string{json_text};
    return r;
  }

  /// From a plain string (binary frames carry refs as bytes); empty is null.
  static ref_value from_string(std::string_view text);

  bool is_null() const noexcept { return json_.empty(); }

  /// The JSON text to put on the wire (`null` when absent).
  std::string_view json() const noexcept {
    return is_null() ? std::string_view{"null"} : std::string_view{json_};
  }

  /// The ref as plain text for binary frames: a JSON string unquoted, any
  /// other JSON token as written, null as empty.
  std::string text() const;

  friend bool operator==(const ref_value&, const ref_value&) = default;

private:
  std::string json_; // empty means null
};

/// A JSON payload: the parsed value and the exact text the client sent.
struct json_payload {
  boost::json::value value;
  std::string text;
};

/// An opaque binary payload (kind 0 push).
struct binary_payload {
  std::string bytes;
};

/// How a user-broadcast payload is encoded (byte in kinds 3 and 4).
enum class payload_encoding : std::uint8_t { binary = 0, json = 1 };

/// Supabase's user broadcast push (binary kind 3): event "broadcast" whose
/// payload is `{"type":"broadcast","event":user_event,"payload":<bytes>}`.
struct user_broadcast_payload {
  std::string user_event;
  payload_encoding encoding = payload_encoding::json;
  std::string bytes; // JSON text when encoding is json, else raw bytes
};

using payload = std::variant<json_payload, binary_payload, user_broadcast_payload>;

/// One decoded client message.
struct message {
  ref_value join_ref;
  ref_value ref;
  std::string topic;
  std::string event;
  payload body;

  /// The JSON payload, or nullptr for binary bodies.
  const json_payload* json() const noexcept { return std::get_if<json_payload>(&body); }
};

/// A message that could not be decoded, with whatever could be salvaged so
/// the error reply reaches the right place.
struct decode_failure {
  /// One of errc's input errors.
  errc code = errc::malformed_message;
  ref_value join_ref;
  ref_value ref;
  /// Empty when the topic could not be read.
  std::string topic;
};

} // namespace rt::protocol
