#pragma once

// Events per second averaged the way Supabase Realtime's rate counters
// average them: events are summed per tick (5 s), the last ticks (12, so one
// minute) are kept, and the rate is their sum over the time they span. Only
// whole ticks count, so the rate is 0 until the first tick has passed, and a
// burst weighs less the longer the counter has run. Limits compare this rate
// with their maximum; they lag a burst by up to a tick, as Supabase's do.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>

namespace rt::pubsub {

class rate_average {
public:
  using clock = std::chrono::steady_clock;

  /// A counter started at `start`, summing per `tick` and keeping `ticks`.
  explicit rate_average(clock::time_point start,
                        clock::duration tick = std::chrono::seconds{5},
                        std::size_t ticks = 12);

  /// Records `n` events at `now` (not earlier than the last call's `now`).
  void add(clock::time_point now, std::uint64_t n = 1);

  /// Events per second over the whole ticks kept at `now`; 0 before the first.
  [[nodiscard]] double per_second(clock::time_point now);

private:
  void roll(clock::time_point now);

  clock::time_point start_;
  clock::duration tick_;
  std::size_t max_ticks_;
  std::deque<std::uint64_t> closed_;
  std::uint64_t closed_sum_ = 0;
  std::uint64_t current_ = 0;
  std::int64_t current_tick_ = 0;
};

} // namespace rt::pubsub
