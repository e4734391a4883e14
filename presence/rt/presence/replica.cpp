#include "rt/presence/replica.hpp"

namespace rt::presence {

namespace {

constexpr std::uint32_t fnv_offset = 2166136261u;
constexpr std::uint32_t fnv_prime = 16777619u;

std::uint32_t fnv1a_byte(std::uint32_t h, unsigned char byte) noexcept {
  return (h ^ byte) * fnv_prime;
}

} // namespace

std::uint16_t replica_hash16(const replica_ref& r) noexcept {
  std::uint32_t h = fnv_offset;
  for (char c : r.node)
    h = fnv1a_byte(h, static_cast<unsigned char>(c));
  // A separator keeps ("ab", 1) and ("a", ...) from sharing a byte stream.
  h = fnv1a_byte(h, 0);
  for (int shift = 56; shift >= 0; shift -= 8)
    h = fnv1a_byte(h, static_cast<unsigned char>(r.vsn >> shift));
  return static_cast<std::uint16_t>((h >> 16) ^ (h & 0xFFFFu));
}

} // namespace rt::presence
