#pragma once

// Delta generations: a few recent deltas merged into windows of growing size,
// so that a replica asking for a transfer can often be sent the changes it
// missed instead of the whole state. Each heartbeat's delta (sent or received)
// is merged into every generation that stays within its cap; a generation that
// would exceed its cap is replaced by the next smaller window's merge, so none
// holds more than the largest cap plus one delta per generation. A received
// full state clears them all.

#include <cstddef>
#include <vector>

#include "rt/presence/delta.hpp"

namespace rt::presence {

/// Phoenix's default caps (max_delta_sizes).
inline const std::vector<std::size_t> default_generation_caps{100, 1000, 10000};

/// A fixed number of delta windows, smallest first.
class delta_generations {
public:
  /// One generation per cap, caps in increasing order.
  explicit delta_generations(std::vector<std::size_t> caps = default_generation_caps);

  /// Merges `d` into each generation. The first push fills every generation
  /// with `d`. A generation `d` does not touch is kept as it was; one that the
  /// merge would take past its cap becomes the previous generation's result
  /// (for the first generation, `d` itself).
  void push(const delta& d);

  /// The first generation that brings `requester`, at `remote_context`, up to
  /// `local_context` (what this replica has seen): for every replica, other
  /// than the requester, on which the remote is behind, it starts at or before
  /// the remote's clock and ends at or after the local one. Null when the
  /// remote is behind on nothing or no generation reaches that far (then send
  /// the full state). Stricter than Phoenix, which takes any window that moves
  /// the remote forward on some replica, so that one transfer from each
  /// replica is enough to bring a requester up to date.
  [[nodiscard]] const delta* covering(const replica_ref& requester,
                                      const version_vector& remote_context,
                                      const version_vector& local_context) const;

  /// Drops every generation (after merging a full state).
  void clear() noexcept;

  /// Removes every trace of `r` (a permanently gone replica).
  void forget_replica(const replica_ref& r);

  /// The generations, smallest window first; empty before the first push.
  [[nodiscard]] const std::vector<delta>& generations() const noexcept { return generations_; }

private:
  std::vector<std::size_t> caps_;
  std::vector<delta> generations_;
};

} // namespace rt::presence
