#include "rt/presence/uuid_v1.hpp"

#include <array>
#include <cstdio>

namespace rt::presence {

namespace {

// 100 ns intervals from 1582-10-15 (the Gregorian reform, UUID time zero) to
// 1970-01-01.
constexpr std::uint64_t gregorian_to_unix = 0x01B21DD213814000ULL;

} // namespace

std::string uuid_v1(std::uint64_t unix_100ns, std::uint16_t clock_seq, std::uint64_t node) {
  auto t = (unix_100ns + gregorian_to_unix) & 0x0FFFFFFFFFFFFFFFULL;
  auto time_low = static_cast<unsigned>(t & 0xFFFFFFFFu);
  auto time_mid = static_cast<unsigned>((t >> 32) & 0xFFFFu);
  auto time_hi_version = static_cast<unsigned>(((t >> 48) & 0x0FFFu) | 0x1000u);
  auto seq = static_cast<unsigned>((clock_seq & 0x3FFFu) | 0x8000u);
  auto n = (node & 0xFFFFFFFFFFFFULL) | 0x010000000000ULL;
  std::array<char, 37> text{};
  std::snprintf(text.data(), text.size(), "%08x-%04x-%04x-%04x-%012llx", time_low, time_mid,
                time_hi_version, seq, static_cast<unsigned long long>(n));
  return std::string{text.data(), 36};
}

} // namespace rt::presence
