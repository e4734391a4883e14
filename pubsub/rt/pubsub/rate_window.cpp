#include "rt/pubsub/rate_window.hpp"

#include <algorithm>

namespace rt::pubsub {

rate_window::rate_window(clock::duration window, std::size_t buckets)
  : slice_(window / static_cast<long>(std::max<std::size_t>(buckets, 1))),
    counts_(std::max<std::size_t>(buckets, 1), 0) {
  if (slice_.count() <= 0)
    slice_ = clock::duration{1};
}

void rate_window::advance(clock::time_point now) {
  long long slice = now.time_since_epoch() / slice_;
  if (current_slice_ < 0) {
    current_slice_ = slice;
    return;
  }
  auto n = static_cast<long long>(counts_.size());
  // Clear every slice that fell out of the window since the last call.
  for (long long s = current_slice_ + 1; s <= slice && s <= current_slice_ + n; ++s) {
    auto& c = counts_[static_cast<std::size_t>(s % n)];
    total_ -= c;
    c = 0;
  }
  current_slice_ = std::max(current_slice_, slice);
}

bool rate_window::try_add(clock::time_point now, std::size_t limit) {
  advance(now);
  if (total_ >= limit)
    return false;
  ++counts_[static_cast<std::size_t>(current_slice_ % static_cast<long long>(counts_.size()))];
  ++total_;
  return true;
}

std::size_t rate_window::count(clock::time_point now) {
  advance(now);
  return total_;
}

} // namespace rt::pubsub
