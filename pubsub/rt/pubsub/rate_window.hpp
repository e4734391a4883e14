#pragma once

// Sliding-window event counter for admission limits such as "joins per
// second": the window is split into equal buckets and counts older than the
// window fall out as time advances.

#include <chrono>
#include <cstddef>
#include <vector>

namespace rt::pubsub {

class rate_window {
public:
  using clock = std::chrono::steady_clock;

  /// Counts events over `window`, in `buckets` slices (>= 1).
  rate_window(clock::duration window, std::size_t buckets);

  /// Records one event at `now` when fewer than `limit` happened within the
  /// window; returns whether it was recorded.
  bool try_add(clock::time_point now, std::size_t limit);

  /// Events within the window ending at `now`.
  std::size_t count(clock::time_point now);

private:
  void advance(clock::time_point now);

  clock::duration slice_;
  std::vector<std::size_t> counts_;
  std::size_t total_ = 0;
  long long current_slice_ = -1; // index of the newest slice since the epoch
};

} // namespace rt::pubsub
