#include "rt/protocol/ws_reader.hpp"

#include "rt/protocol/events.hpp"

#include <algorithm>
#include <cstring>

#include "rt/protocol/utf8.hpp"

namespace rt::protocol {

namespace {

constexpr std::uint8_t fin_bit = 0x80;
constexpr std::uint8_t rsv_bits = 0x70;
constexpr std::uint8_t opcode_bits = 0x0F;
constexpr std::uint8_t mask_bit = 0x80;
constexpr std::uint8_t length_bits = 0x7F;
constexpr std::size_t max_control_payload = 125;

bool is_control(std::uint8_t op) noexcept {
  return (op & 0x08) != 0;
}

bool is_known_opcode(std::uint8_t op) noexcept {
  return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

std::size_t extended_length_bytes(std::uint8_t len7) noexcept {
  return len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
}

std::uint64_t read_big_endian(const std::uint8_t* p, std::size_t n) noexcept {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < n; ++i)
    value = (value << 8) | p[i];
  return value;
}

/// Codes an endpoint may put in a close frame (RFC 6455 section 7.4 and the
/// IANA registry, which adds 1012-1014).
bool is_valid_close_code(std::uint16_t code) noexcept {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
         || (code >= 3000 && code <= 4999);
}

/// XORs `n` bytes at `p` with `key`, starting at key byte `phase`.
void unmask(char* p, std::size_t n, const std::array<std::uint8_t, 4>& key,
            std::size_t phase) noexcept {
  unsigned char pattern[8];
  for (std::size_t i = 0; i < 8; ++i)
    pattern[i] = key[(i + phase) & 3];
  std::uint64_t word_mask;
  std::memcpy(&word_mask, pattern, sizeof word_mask);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, p + i, sizeof word);
    word ^= word_mask;
    std::memcpy(p + i, &word, sizeof word);
  }
  for (; i < n; ++i)
    p[i] = static_cast<char>(p[i] ^ pattern[i & 7]);
}

ws_event::kind data_kind(opcode op) noexcept {
  return op == opcode::binary ? ws_event::kind::binary : ws_event::kind::text;
}

} // namespace

ws_reader::ws_reader(std::size_t max_message_bytes)
  : max_message_bytes_(max_message_bytes) {
}

expected<void> ws_reader::feed(std::string_view data, std::vector<ws_event>& out) {
  if (failed_)
    return tl::unexpected(error_);
  for (;;) {
    if (!in_payload_) {
      if (data.empty())
        return {};
      auto used = consume_header(data);
      if (!used)
        return fail(used.error());
      data.remove_prefix(*used);
      if (!in_payload_)
        return {};
    }
    data.remove_prefix(consume_payload(data));
    if (remaining_ > 0)
      return {};
    in_payload_ = false;
    if (auto done = finish_frame(out); !done)
      return fail(done.error());
  }
}

std::size_t ws_reader::buffered() const noexcept {
  return header_len_ + message_.size() + control_.size();
}

expected<std::size_t> ws_reader::consume_header(std::string_view data) {
  auto src = reinterpret_cast<const std::uint8_t*>(data.data());
  if (header_len_ == 0) {
    // Common case: the whole header is in `data`; parse it in place.
    auto size = parse_header(src, data.size());
    if (!size || *size > 0)
      return size;
  }
  auto old_len = header_len_;
  auto take = std::min(max_header_bytes - old_len, data.size());
  std::memcpy(header_.data() + old_len, src, take);
  header_len_ += take;
  auto size = parse_header(header_.data(), header_len_);
  if (!size)
    return size;
  if (*size == 0)
    return take;
  header_len_ = 0;
  return *size - old_len;
}

expected<std::size_t> ws_reader::parse_header(const std::uint8_t* p, std::size_t n) {
  if (n < 1)
    return 0;
  if (auto ok = check_first_byte(p[0]); !ok)
    return tl::unexpected(ok.error());
  if (n < 2)
    return 0;
  op_ = static_cast<opcode>(p[0] & opcode_bits);
  if (auto ok = check_second_byte(p[1]); !ok)
    return tl::unexpected(ok.error());
  std::uint8_t len7 = p[1] & length_bits;
  auto ext = extended_length_bytes(len7);
  if (n < 2 + ext)
    return 0;
  std::uint64_t length = ext == 0 ? len7 : read_big_endian(p + 2, ext);
  if (auto ok = check_length(length); !ok)
    return tl::unexpected(ok.error());
  auto size = 2 + ext + mask_.size();
  if (n < size)
    return 0;
  std::memcpy(mask_.data(), p + 2 + ext, mask_.size());
  fin_ = (p[0] & fin_bit) != 0;
  remaining_ = length;
  mask_phase_ = 0;
  in_payload_ = true;
  return size;
}

expected<void> ws_reader::check_first_byte(std::uint8_t b0) const {
  std::uint8_t op = b0 & opcode_bits;
  bool fin = (b0 & fin_bit) != 0;
  bool bad = (b0 & rsv_bits) != 0 || !is_known_opcode(op) || (is_control(op) && !fin)
             || (op == 0x0 && !in_message_) || ((op == 0x1 || op == 0x2) && in_message_);
  if (bad)
    return tl::unexpected(errc::ws_protocol_error);
  return {};
}

expected<void> ws_reader::check_second_byte(std::uint8_t b1) const {
  bool masked = (b1 & mask_bit) != 0;
  auto op = static_cast<std::uint8_t>(op_);
  if (!masked || (is_control(op) && (b1 & length_bits) > max_control_payload))
    return tl::unexpected(errc::ws_protocol_error);
  return {};
}

expected<void> ws_reader::check_length(std::uint64_t length) const {
  if ((length >> 63) != 0 || (op_ == opcode::close && length == 1))
    return tl::unexpected(errc::ws_protocol_error);
  if (is_control(static_cast<std::uint8_t>(op_)))
    return {};
  // message_ never exceeds the maximum, so the subtraction cannot wrap.
  if (length > max_message_bytes_ - message_.size())
    return tl::unexpected(errc::ws_message_too_big);
  return {};
}

std::size_t ws_reader::consume_payload(std::string_view data) {
  auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, data.size()));
  if (n == 0)
    return 0;
  auto& target = is_control(static_cast<std::uint8_t>(op_)) ? control_ : message_;
  auto old_size = target.size();
  target.append(data.data(), n);
  unmask(target.data() + old_size, n, mask_, mask_phase_);
  mask_phase_ = (mask_phase_ + n) & 3;
  remaining_ -= n;
  return n;
}

expected<void> ws_reader::finish_frame(std::vector<ws_event>& out) {
  if (is_control(static_cast<std::uint8_t>(op_)))
    return finish_control(out);
  if (op_ != opcode::continuation)
    message_op_ = op_;
  if (!fin_) {
    in_message_ = true;
    return {};
  }
  return finish_data(out);
}

expected<void> ws_reader::finish_data(std::vector<ws_event>& out) {
  in_message_ = false;
  if (message_op_ == opcode::text && !is_valid_utf8(message_))
    return tl::unexpected(errc::ws_invalid_utf8);
  out.push_back(ws_event{data_kind(message_op_), std::move(message_), 0});
  message_.clear();
  return {};
}

expected<void> ws_reader::finish_control(std::vector<ws_event>& out) {
  ws_event ev;
  if (op_ == opcode::ping || op_ == opcode::pong) {
    ev.type = op_ == opcode::ping ? ws_event::kind::ping : ws_event::kind::pong;
    ev.payload = std::move(control_);
    control_.clear();
    out.push_back(std::move(ev));
    return {};
  }
  ev.type = ws_event::kind::close;
  ev.close_code = wire::close_no_status;
  // The header check guarantees a close body is empty or at least 2 bytes.
  if (!control_.empty()) {
    auto hi = static_cast<std::uint8_t>(control_[0]);
    auto lo = static_cast<std::uint8_t>(control_[1]);
    ev.close_code = static_cast<std::uint16_t>((hi << 8) | lo);
    ev.payload.assign(control_, 2);
    control_.clear();
    if (!is_valid_close_code(ev.close_code))
      return tl::unexpected(errc::ws_protocol_error);
    if (!is_valid_utf8(ev.payload))
      return tl::unexpected(errc::ws_invalid_utf8);
  }
  out.push_back(std::move(ev));
  return {};
}

expected<void> ws_reader::fail(errc e) {
  failed_ = true;
  error_ = e;
  return tl::unexpected(e);
}

} // namespace rt::protocol
