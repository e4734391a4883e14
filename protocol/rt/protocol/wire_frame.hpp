#pragma once

// Server-to-client WebSocket frames (RFC 6455 section 5.2), built once and
// written unchanged to every recipient. Server frames are never masked, so the
// header plus payload is the same byte string for all sockets:
//
//   byte 0: FIN(1) RSV(000) opcode(4)
//   byte 1: MASK(0) len7; len7 == 126 -> 2-byte length, 127 -> 8-byte length
//   then the payload.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace rt::protocol {

/// WebSocket opcodes.
enum class opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

/// A complete, immutable server frame: header and payload in one buffer.
class wire_frame {
public:
  wire_frame() = default;

  /// The bytes to put on the wire.
  /// The bytes to put on the wire (empty for a default-constructed frame).
  std::string_view bytes() const noexcept {
    if (storage_.size() < payload_offset)
      return {};
    return {storage_.data() + offset_, storage_.size() - offset_};
  }

  /// The payload without the frame header.
  std::string_view payload() const noexcept {
    if (storage_.size() < payload_offset)
      return {};
    return {storage_.data() + payload_offset, storage_.size() - payload_offset};
  }

  /// Frame size on the wire.
  std::size_t size() const noexcept { return bytes().size(); }

  opcode op() const noexcept { return op_; }

  /// Room reserved in front of the payload for the longest header.
  static constexpr std::size_t payload_offset = 10;

private:
  friend class frame_writer;
  std::string storage_;
  std::size_t offset_ = payload_offset;
  opcode op_ = opcode::text;
};

/// Shared handle to one encoded frame; the unit every outbound queue holds.
using shared_frame = std::shared_ptr<const wire_frame>;

/// Builds one frame: append the payload to `out()`, then `finish()`.
/// The header is written in front of the payload without copying it.
class frame_writer {
public:
  explicit frame_writer(opcode op, std::size_t payload_hint = 128);

  /// The payload buffer; append to it.
  std::string& out() noexcept { return buf_; }

  /// Writes the header and yields the frame. The writer is empty afterwards
  /// and may build another frame.
  wire_frame finish();

  /// Same as finish(), wrapped for sharing.
  shared_frame finish_shared();

private:
  std::string buf_;
  opcode op_;
};

/// A whole frame of opcode `op` carrying `payload`.
wire_frame make_frame(opcode op, std::string_view payload);

/// A close frame with `code` and `reason`, the reason cut to at most 123
/// bytes at a UTF-8 character boundary.
wire_frame make_close_frame(std::uint16_t code, std::string_view reason);

} // namespace rt::protocol
