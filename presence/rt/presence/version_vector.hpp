#pragma once

// Version vectors: for each replica, the highest clock up to which every event
// has been seen. The comparisons are Phoenix.Tracker.Clock's, including their
// treatment of replicas present on one side only, because delta ranges and
// transfer selection depend on exactly those rules.

#include <cstdint>
#include <map>

#include "rt/presence/replica.hpp"

namespace rt::presence {

/// Replica -> highest contiguous clock seen. One entry per known replica.
using version_vector = std::map<replica_ref, std::uint64_t>;

/// The clock of `r` in `v`, 0 when absent.
[[nodiscard]] std::uint64_t clock_of(const version_vector& v, const replica_ref& r);

/// Whether `a` has at least as many entries as `b` and, for every replica of
/// `b`, a clock at least as high (a missing entry counts as 0).
[[nodiscard]] bool dominates(const version_vector& a, const version_vector& b);

/// Whether, for every replica of `a`, a's clock is at least b's (missing in
/// `b` counts as 0). Two empty vectors compare true; an empty `a` against a
/// non-empty `b` compares false.
[[nodiscard]] bool dominates_or_equal(const version_vector& a, const version_vector& b);

/// Entry-wise maximum over the replicas of both.
[[nodiscard]] version_vector upper_bound_of(const version_vector& a, const version_vector& b);

/// Entry-wise minimum over the replicas of both; a replica present on one
/// side only keeps its clock.
[[nodiscard]] version_vector lower_bound_of(const version_vector& a, const version_vector& b);

/// The entries of `v` whose replica is also a key of `known`.
[[nodiscard]] version_vector restricted_to(const version_vector& v, const version_vector& known);

} // namespace rt::presence
