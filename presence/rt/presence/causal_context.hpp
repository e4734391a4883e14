#pragma once

// What a replica has observed, as a set of dots: per replica a contiguous
// prefix (a version vector) plus a "cloud" of dots seen beyond a gap. Clouds
// shrink as gaps fill (compact); a gap stays open until the missing events
// arrive in a delta or a full-state transfer repairs it, so a cloud holds at
// most the events of one replica since its oldest missing one.

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>

#include "rt/presence/dot.hpp"
#include "rt/presence/version_vector.hpp"

namespace rt::presence {

/// Replica -> clocks seen beyond its contiguous prefix.
using dot_clouds = std::map<replica_ref, std::set<std::uint64_t>>;

/// A set of dots: contiguous prefixes plus clouds.
struct causal_context {
  /// Every clock up to this one has been seen, per replica.
  version_vector contiguous;
  /// Further clocks seen, per replica.
  dot_clouds clouds;

  friend bool operator==(const causal_context&, const causal_context&) = default;
};

/// Whether `d` is in `clouds`.
[[nodiscard]] bool in_clouds(const dot_clouds& clouds, const dot& d);

/// Whether `d` is within its replica's prefix or in its cloud.
[[nodiscard]] bool covers(const causal_context& c, const dot& d);

/// Adds `d` to `clouds`.
void add_to_clouds(dot_clouds& clouds, const dot& d);

/// Adds every dot of `from` to `into`.
void merge_clouds(dot_clouds& into, const dot_clouds& from);

/// The number of dots in `clouds`.
[[nodiscard]] std::size_t dot_count(const dot_clouds& clouds);

/// Folds each cloud into its replica's prefix while the next clock is there,
/// drops cloud dots the prefix already covers and removes emptied clouds.
/// Clouds of replicas without a prefix entry are left unchanged.
void compact(causal_context& c);

/// The clouds of the replicas that are keys of `known`.
[[nodiscard]] dot_clouds restricted_to(const dot_clouds& clouds, const version_vector& known);

/// The prefixes and clouds of the replicas that are keys of `known`.
[[nodiscard]] causal_context restricted_to(const causal_context& c, const version_vector& known);

/// Removes `r`'s prefix and cloud.
void forget_replica(causal_context& c, const replica_ref& r);

} // namespace rt::presence
