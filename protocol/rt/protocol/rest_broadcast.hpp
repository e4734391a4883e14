#pragma once

// Supabase Realtime's REST broadcast requests, read and checked as its
// Phoenix controllers read them (docs/rest.md):
//
//   POST [/realtime/v1]/api/broadcast
//        {"messages":[{"topic":T,"event":E,"payload":{...},"private":bool,"id":uuid}]}
//   POST [/realtime/v1]/api/broadcast/:topic/events/:event[?private=true]
//        body = the payload: JSON (application/json or no Content-Type) or raw
//        bytes (application/octet-stream)
//
// Refusals carry Supabase's bodies: 400 for a body that is not JSON, 422
// with an Ecto changeset's {"errors":{...}} for invalid messages. Topics are
// sub-topics: the messages go to "realtime:" + topic. Pure: no I/O.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "rt/protocol/message.hpp"

namespace rt::protocol {

/// Which REST broadcast endpoint a path names.
struct rest_route {
  enum class kind : std::uint8_t { batch, single };
  kind which = kind::batch;
  /// The single endpoint's sub-topic and event (percent-decoded).
  std::string topic;
  std::string event;
};

/// Matches decoded path segments (empty ones already dropped, as Plug drops
/// them) against the two endpoints, with or without the /realtime/v1 prefix.
std::optional<rest_route> match_rest_route(std::span<const std::string> segments);

/// A refused request body: the HTTP status (400 or 422) and the JSON body.
struct rest_rejection {
  std::uint16_t status = 422;
  std::string body;
};

/// One message of a valid batch.
struct rest_message {
  /// Sub-topic; published to "realtime:" + topic.
  std::string topic;
  std::string event;
  /// The payload object's JSON text, exactly as sent.
  std::string payload_json;
  bool is_private = false;
  /// The message id, a UUID in lower case, when given.
  std::optional<std::string> id;
};

/// True for a Content-Type that Plug's JSON parser reads: application/json
/// or application/<anything>+json, parameters allowed.
bool is_json_media_type(std::string_view content_type);

/// Reads a batch body. As in Supabase, a body whose Content-Type is not JSON
/// is not read at all (so it has no `messages`). Each message needs a
/// non-blank string `topic` and `event` and an object `payload` of at most
/// `max_payload_bytes` bytes of JSON text; `private` is a boolean (or
/// "true"/"false"/"1"/"0"), `id` a UUID. A 422 lists the errors per message
/// ({} for a valid one), keys sorted as Jason writes them.
tl::expected<std::vector<rest_message>, rest_rejection>
parse_batch(std::optional<std::string_view> content_type, std::string_view body,
            std::size_t max_payload_bytes);

/// The payload text subscribers receive for a batch message (event
/// "broadcast"): {"event":E,["meta":{"id":I},]"payload":P,"type":"broadcast"}.
std::string batch_broadcast_payload(const rest_message& msg);

/// How the single endpoint reads its body.
enum class rest_body_type : std::uint8_t { json, binary, unsupported };

/// application/json (or none) -> json, application/octet-stream -> binary,
/// anything else -> unsupported (415). Parameters such as charset are allowed.
rest_body_type single_body_type(std::optional<std::string_view> content_type);

/// The single endpoint's payload as a user broadcast of `event`. JSON: an
/// empty body is {}, and a value other than an object is wrapped as
/// {"_json": value}, as Plug wraps it; binary: the bytes as they are. Larger
/// than `max_payload_bytes` (the JSON text or the bytes) is a 422.
/// Precondition: `type` is not unsupported.
tl::expected<user_broadcast_payload, rest_rejection>
parse_single(rest_body_type type, std::string event, std::string_view body,
             std::size_t max_payload_bytes);

/// The token of a REST request: the `Bearer` credential of Authorization
/// (scheme in any case), else the apikey header; nullopt when neither.
std::optional<std::string> rest_token(std::optional<std::string_view> authorization,
                                      std::optional<std::string_view> apikey);

/// What the events-per-second budget says to a request of `messages`.
enum class rest_rate_verdict : std::uint8_t {
  ok,
  /// The rate already is at the limit (429 "Too many requests").
  saturated,
  /// The batch would push it over (429 "Too many messages to broadcast ...").
  batch_too_large,
};

/// Supabase's checks with its rounding: the rolling rate, truncated, at or
/// over `limit` saturates; `messages` plus the rate over `limit` is too many.
rest_rate_verdict check_rest_rate(double rate, std::size_t limit, std::size_t messages);

/// Request headers as the JSON object realtime.messages' policies read
/// (request.headers): names lower-cased, the last of a repeated name wins,
/// headers that are not UTF-8 left out.
std::string headers_json(std::span<const std::pair<std::string_view, std::string_view>> headers);

} // namespace rt::protocol
