#pragma once

// A node-wide event rate (pubsub/rate_average) that any thread may add to
// and read, for limits shared by every channel of the node.

#include <cstdint>
#include <mutex>

#include "rt/pubsub/rate_average.hpp"

namespace rt::actors {

class node_rate {
public:
  using clock = pubsub::rate_average::clock;

  node_rate() : average_(clock::now()) {}

  /// Records `n` events now.
  void add(std::uint64_t n = 1) {
    std::lock_guard guard{mutex_};
    average_.add(clock::now(), n);
  }

  /// Events per second now (the one-minute average).
  double per_second() {
    std::lock_guard guard{mutex_};
    return average_.per_second(clock::now());
  }

  /// Records one event unless the rate now is above `limit` per second
  /// (checked and recorded under one lock); returns whether it was recorded.
  bool try_add(double limit) {
    std::lock_guard guard{mutex_};
    auto now = clock::now();
    if (average_.per_second(now) > limit)
      return false;
    average_.add(now, 1);
    return true;
  }

private:
  std::mutex mutex_;
  pubsub::rate_average average_;
};

} // namespace rt::actors
