#include "rt/protocol/wire_frame.hpp"

namespace rt::protocol {

frame_writer::frame_writer(opcode op, std::size_t payload_hint) : op_(op) {
  buf_.reserve(wire_frame::payload_offset + payload_hint);
  buf_.resize(wire_frame::payload_offset);
}

wire_frame frame_writer::finish() {
  auto len = buf_.size() - wire_frame::payload_offset;
  std::uint8_t header[wire_frame::payload_offset];
  std::size_t n = 0;
  header[n++] = static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(op_));
  if (len < 126) {
    header[n++] = static_cast<std::uint8_t>(len);
  } else if (len <= 0xFFFF) {
    header[n++] = 126;
    header[n++] = static_cast<std::uint8_t>(len >> 8);
    header[n++] = static_cast<std::uint8_t>(len);
  } else {
    header[n++] = 127;
    for (int shift = 56; shift >= 0; shift -= 8)
      header[n++] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(len) >> shift);
  }
  wire_frame result;
  result.offset_ = wire_frame::payload_offset - n;
  for (std::size_t i = 0; i < n; ++i)
    buf_[result.offset_ + i] = static_cast<char>(header[i]);
  result.op_ = op_;
  result.storage_ = std::move(buf_);
  buf_ = std::string(wire_frame::payload_offset, '\0');
  return result;
}

shared_frame frame_writer::finish_shared() {
  return std::make_shared<const wire_frame>(finish());
}

wire_frame make_frame(opcode op, std::string_view payload) {
  frame_writer w{op, payload.size()};
  w.out().append(payload);
  return w.finish();
}

wire_frame make_close_frame(std::uint16_t code, std::string_view reason) {
  // Control frames carry at most 125 payload bytes: 2 for the code.
  constexpr std::size_t max_reason = 123;
  if (reason.size() > max_reason) {
    auto cut = max_reason;
    // Step back over continuation bytes (10xxxxxx) to a character start.
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80)
      --cut;
    reason = reason.substr(0, cut);
  }
  frame_writer w{opcode::close, 2 + reason.size()};
  w.out().push_back(static_cast<char>(code >> 8));
  w.out().push_back(static_cast<char>(code & 0xFF));
  w.out().append(reason);
  return w.finish();
}

} // namespace rt::protocol
