#pragma once

// Time-based (version 1) UUIDs, RFC 4122 section 4.2, the form Supabase
// Realtime generates for a presence key the client left empty.

#include <cstdint>
#include <string>

namespace rt::presence {

/// The text form (lowercase, 8-4-4-4-12) of the version 1 UUID for
/// `unix_100ns` (100 ns intervals since 1970-01-01), the 14-bit `clock_seq`
/// and the 48-bit `node` (its multicast bit is set: a random node id, as RFC
/// 4122 section 4.5 asks).
[[nodiscard]] std::string uuid_v1(std::uint64_t unix_100ns, std::uint16_t clock_seq,
                                  std::uint64_t node);

} // namespace rt::presence
