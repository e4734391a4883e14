#pragma once

// A dot names one event of one replica: its n-th local join or leave. Every
// element is tagged with the dot of the join that created it, and causal
// contexts are sets of dots.

#include <compare>
#include <cstdint>

#include "rt/presence/replica.hpp"

namespace rt::presence {

/// The `clock`-th event (counting from 1) of `replica`.
struct dot {
  /// The replica that made the event.
  replica_ref replica;
  /// Its position in that replica's sequence of events.
  std::uint64_t clock = 0;

  friend auto operator<=>(const dot&, const dot&) = default;
};

} // namespace rt::presence
