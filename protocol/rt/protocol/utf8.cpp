#include "rt/protocol/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace rt::protocol {

namespace {

using byte_ptr = const unsigned char*;

/// Length of the sequence a lead byte starts and the range its second byte
/// must fall in; length 0 for bytes that cannot start a sequence.
struct lead_info {
  std::uint8_t length;
  unsigned char second_lo;
  unsigned char second_hi;
};

lead_info classify(unsigned char lead) noexcept {
  if (lead >= 0xC2 && lead <= 0xDF)
    return {2, 0x80, 0xBF};
  if (lead == 0xE0)
    return {3, 0xA0, 0xBF};
  if (lead == 0xED)
    return {3, 0x80, 0x9F};
  if (lead >= 0xE1 && lead <= 0xEF)
    return {3, 0x80, 0xBF};
  if (lead == 0xF0)
    return {4, 0x90, 0xBF};
  if (lead >= 0xF1 && lead <= 0xF3)
    return {4, 0x80, 0xBF};
  if (lead == 0xF4)
    return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

/// First byte at or after `p` with the high bit set, or `end`.
byte_ptr skip_ascii(byte_ptr p, byte_ptr end) noexcept {
  constexpr std::uint64_t high_bits = 0x8080808080808080ULL;
  while (end - p >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    if (word & high_bits)
      break;
    p += 8;
  }
  while (p != end && *p < 0x80)
    ++p;
  return p;
}

/// Length of the well-formed multi-byte sequence at `p`, or 0.
std::size_t sequence_length(byte_ptr p, byte_ptr end) noexcept {
  auto info = classify(*p);
  if (info.length == 0 || end - p < info.length)
    return 0;
  if (p[1] < info.second_lo || p[1] > info.second_hi)
    return 0;
  for (std::size_t i = 2; i < info.length; ++i)
    if ((p[i] & 0xC0) != 0x80)
      return 0;
  return info.length;
}

} // namespace

bool is_valid_utf8(std::string_view s) noexcept {
  auto p = reinterpret_cast<byte_ptr>(s.data());
  auto end = p + s.size();
  for (;;) {
    p = skip_ascii(p, end);
    if (p == end)
      return true;
    auto n = sequence_length(p, end);
    if (n == 0)
      return false;
    p += n;
  }
}

} // namespace rt::protocol
