#include "rt/pubsub/rate_average.hpp"

#include <algorithm>

namespace rt::pubsub {

rate_average::rate_average(clock::time_point start, clock::duration tick, std::size_t ticks)
  : start_(start), tick_(tick), max_ticks_(std::max<std::size_t>(ticks, 1)) {}

void rate_average::roll(clock::time_point now) {
  auto tick = static_cast<std::int64_t>((now - start_) / tick_);
  if (tick <= current_tick_)
    return;
  // The current tick closes; ticks without events close as zeros. More than
  // max_ticks_ of them leave only zeros.
  auto passed = tick - current_tick_;
  if (static_cast<std::uint64_t>(passed) > max_ticks_) {
    closed_.assign(max_ticks_, 0);
    closed_sum_ = 0;
  } else {
    closed_.push_back(current_);
    closed_sum_ += current_;
    closed_.insert(closed_.end(), static_cast<std::size_t>(passed - 1), 0);
    while (closed_.size() > max_ticks_) {
      closed_sum_ -= closed_.front();
      closed_.pop_front();
    }
  }
  current_ = 0;
  current_tick_ = tick;
}

void rate_average::add(clock::time_point now, std::uint64_t n) {
  roll(now);
  current_ += n;
}

double rate_average::per_second(clock::time_point now) {
  roll(now);
  if (closed_.empty())
    return 0.0;
  auto seconds = std::chrono::duration<double>(tick_).count() * static_cast<double>(closed_.size());
  return static_cast<double>(closed_sum_) / seconds;
}

} // namespace rt::pubsub
