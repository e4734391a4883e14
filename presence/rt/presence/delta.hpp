#pragma once

// A delta: the changes a replica made (or merged) over a range of clocks, sent
// in heartbeats and kept in delta generations for transfers. Joins are values;
// every event's dot is in the clouds, and so is the dot of each value removed,
// which is how a removal travels. Its size is values plus cloud dots; a
// replica's own delta holds the events since its last heartbeat.

#include <cstddef>

#include "rt/presence/causal_context.hpp"
#include "rt/presence/element.hpp"
#include "rt/presence/error.hpp"
#include "rt/presence/version_vector.hpp"

namespace rt::presence {

/// Changes over the clock range (start, end].
struct delta {
  /// Clocks already reached when the range began, per replica.
  version_vector start;
  /// Clocks reached when it ended.
  version_vector end;
  /// Every dot of the range, plus the dots of values it removed.
  dot_clouds clouds;
  /// Elements joined within the range and not removed since.
  dotted_values values;

  friend bool operator==(const delta&, const delta&) = default;
};

/// Values plus cloud dots: the measure delta generations are capped by.
[[nodiscard]] std::size_t delta_size(const delta& d);

/// Whether `d` records any event.
[[nodiscard]] bool has_events(const delta& d);

/// The union of two deltas whose ranges touch or overlap, over the range
/// spanning both: a value survives unless the other delta saw its dot without
/// holding it. Fails with errc::not_contiguous when there is a gap between
/// the ranges (on any replica both ranges name).
[[nodiscard]] expected<delta> merge_deltas(const delta& a, const delta& b);

/// What of `d` to send to `requester`, which knows the replicas of
/// `requester_context`: ranges, clouds and values of those replicas, and
/// nothing of the requester's own. (Its dots without its values would read as
/// removals, and the requester keeps received deltas in its generations.)
[[nodiscard]] delta delta_for(const delta& d, const replica_ref& requester,
                              const version_vector& requester_context);

/// Removes every trace of `r` from `d`.
void forget_replica(delta& d, const replica_ref& r);

} // namespace rt::presence
