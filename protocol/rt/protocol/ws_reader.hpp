#pragma once

// Client-to-server WebSocket frames (RFC 6455 section 5.2). Every client frame
// is masked:
//
//   byte 0: FIN(1) RSV1-3(000) opcode(4)
//   byte 1: MASK(1) len7; len7 == 126 -> 2-byte length, 127 -> 8-byte length
//   then the 4-byte masking key, then the payload XORed with the key
//   (payload byte i with key byte i % 4).
//
// No extension is negotiated, so the RSV bits must be zero. Control frames
// (close, ping, pong) are never fragmented, carry at most 125 bytes and may
// arrive between the fragments of a data message.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rt/protocol/error.hpp"
#include "rt/protocol/wire_frame.hpp"

namespace rt::protocol {

/// One complete thing received from a client.
struct ws_event {
  /// What the client sent: a whole data message or one control frame.
  enum class kind : std::uint8_t { text, binary, ping, pong, close };
  /// The kind of message or control frame.
  kind type = kind::text;
  /// Message bytes (unmasked; fragments reassembled). For close: the reason text.
  std::string payload;
  /// For close only: the status code, or 1005 when the close frame had no body.
  std::uint16_t close_code = 0;
};

/// Incremental parser for client-to-server frames. Feed it bytes as they arrive
/// from the socket; it returns complete events. Not thread-safe: one reader
/// belongs to one connection and is used from one thread (or strand) at a time.
class ws_reader {
public:
  /// `max_message_bytes` bounds one (reassembled) data message. Control frames
  /// are bounded by the protocol's 125 bytes instead.
  explicit ws_reader(std::size_t max_message_bytes);

  /// Consumes all of `data`, appending each complete event to `out` in order.
  /// Control frames are delivered as soon as they end, even between the
  /// fragments of a data message; a data message when its last fragment ends.
  /// Errors (the reader must not be fed again afterwards; further calls return
  /// the same error):
  ///   - `errc::ws_protocol_error`: unmasked frame, RSV bit set, reserved
  ///     opcode, fragmented or over-long control frame, continuation without a
  ///     message, new data frame inside a fragmented message, 64-bit length
  ///     with the top bit set, 1-byte close body, close code not allowed on the
  ///     wire;
  ///   - `errc::ws_message_too_big`: a message (sum of fragments) or a single
  ///     frame's declared length exceeds `max_message_bytes`; detected from the
  ///     header, before the payload is buffered;
  ///   - `errc::ws_invalid_utf8`: a complete text message, or a close reason,
  ///     is not UTF-8.
  /// Events completed before the error in the same call are still appended.
  [[nodiscard]] expected<void> feed(std::string_view data, std::vector<ws_event>& out);

  /// Bytes held for an incomplete frame or message.
  std::size_t buffered() const noexcept;

private:
  /// Validates and stores as much of a frame header as `data` holds; returns
  /// the bytes of `data` it consumed.
  expected<std::size_t> consume_header(std::string_view data);
  /// Parses the header at `p` (`n` bytes available); returns its size, or 0
  /// when more bytes are needed. Fails as soon as the bytes seen are invalid.
  expected<std::size_t> parse_header(const std::uint8_t* p, std::size_t n);
  expected<void> check_first_byte(std::uint8_t b0) const;
  expected<void> check_second_byte(std::uint8_t b1) const;
  expected<void> check_length(std::uint64_t length) const;
  /// Unmasks up to the rest of the current payload from `data` into its
  /// buffer; returns the bytes consumed.
  std::size_t consume_payload(std::string_view data);
  expected<void> finish_frame(std::vector<ws_event>& out);
  expected<void> finish_data(std::vector<ws_event>& out);
  expected<void> finish_control(std::vector<ws_event>& out);
  expected<void> fail(errc e);

  /// Longest header: 2 fixed bytes, 8 length bytes, 4 mask bytes.
  static constexpr std::size_t max_header_bytes = 14;

  std::size_t max_message_bytes_;
  // Header bytes kept while a header arrives in pieces.
  std::array<std::uint8_t, max_header_bytes> header_{};
  std::size_t header_len_ = 0;
  // The frame whose payload is being read.
  bool in_payload_ = false;
  bool fin_ = false;
  opcode op_ = opcode::continuation;
  std::uint64_t remaining_ = 0;
  std::array<std::uint8_t, 4> mask_{};
  std::size_t mask_phase_ = 0;
  // The data message being reassembled (possibly from one frame only).
  bool in_message_ = false;
  opcode message_op_ = opcode::text;
  std::string message_;
  // The control frame being read.
  std::string control_;
  bool failed_ = false;
  errc error_ = errc::ws_protocol_error;
};

} // namespace rt::protocol
