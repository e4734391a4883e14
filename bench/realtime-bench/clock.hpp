#pragma once

// One monotonic clock for the whole run. Publish timestamps and receive times
// both come from it, so publish -> receive latency needs no clock sync.

#include <cstdint>
#include <ctime>

namespace bench {

/// Microseconds on CLOCK_MONOTONIC. Cheap (vDSO); safe from any thread.
inline std::int64_t now_us() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000;
}

/// Seconds between two `now_us()` readings.
inline double seconds_between(std::int64_t from_us, std::int64_t to_us) noexcept {
  return static_cast<double>(to_us - from_us) / 1e6;
}

} // namespace bench
