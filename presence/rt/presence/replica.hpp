#pragma once

// Replica identity. A tracker replica is one incarnation of one node's tracker:
// the node name plus a version chosen when it starts, so that a restarted node
// is a different replica and its predecessor's presences can be forgotten.

#include <compare>
#include <cstdint>
#include <string>

namespace rt::presence {

/// One incarnation of a node's tracker.
struct replica_ref {
  /// The node's cluster-unique name.
  std::string node;
  /// Chosen at start and different for every incarnation of `node` (Phoenix
  /// uses the start time in microseconds plus a unique integer).
  std::uint64_t vsn = 0;

  friend auto operator<=>(const replica_ref&, const replica_ref&) = default;
};

/// Whether a known replica's presences are listed (up) or hidden (down).
enum class replica_status { up, down };

/// A 16-bit digest of `r`, the replica part of the phx_refs it makes. Equal
/// for equal refs on every node and build (FNV-1a, folded); not unique.
[[nodiscard]] std::uint16_t replica_hash16(const replica_ref& r) noexcept;

} // namespace rt::presence
