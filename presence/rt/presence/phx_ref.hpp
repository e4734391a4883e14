#pragma once

// phx_ref values as Phoenix.Tracker makes them: base64url of 12 bytes, the
// time in nanoseconds (64 bits), a 16-bit hash of the replica and a 16-bit
// counter, all big-endian: 16 characters, no padding. The time is an argument,
// so the same inputs always give the same refs.

#include <cstdint>
#include <string>

namespace rt::presence {

/// Makes the phx_refs of one replica.
class phx_ref_source {
public:
  /// A source for the replica whose hash is `replica_hash` (see
  /// replica_hash16), whose counter starts at `first_counter`.
  explicit phx_ref_source(std::uint16_t replica_hash, std::uint16_t first_counter = 0) noexcept
    : replica_hash_(replica_hash), counter_(first_counter) {}

  /// A new ref at `unix_ns` (nanoseconds since the Unix epoch). Refs from one
  /// source differ as long as fewer than 65,536 share the same `unix_ns`.
  [[nodiscard]] std::string next(std::uint64_t unix_ns);

private:
  std::uint16_t replica_hash_;
  std::uint16_t counter_;
};

} // namespace rt::presence
