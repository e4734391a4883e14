#pragma once

// Fixed-bucket latency histogram: one bucket per microsecond from 0 to 2 s,
// then one overflow bucket. Adding a sample is an increment, never an
// allocation; percentiles walk the buckets once.

#include <cstdint>
#include <vector>

namespace bench {

/// Percentiles of a histogram, in microseconds.
struct latency_summary {
  std::uint64_t count = 0;    ///< samples
  std::uint64_t overflow = 0; ///< samples of 2 s or more
  std::int64_t p50_us = 0;
  std::int64_t p99_us = 0;
  std::int64_t p999_us = 0;
  std::int64_t max_us = 0;
};

/// 1 µs resolution up to `limit_us` (2 s), an overflow bucket beyond.
class histogram {
public:
  /// Largest value with its own bucket, plus one.
  static constexpr std::int64_t limit_us = 2'000'000;

  histogram();

  /// Records one sample; negative values count as 0.
  void add(std::int64_t us) noexcept {
    if (us < 0)
      us = 0;
    if (us >= limit_us)
      ++overflow_;
    else
      ++buckets_[static_cast<std::size_t>(us)];
    ++count_;
    if (us > max_)
      max_ = us;
  }

  /// Forgets every sample.
  void clear();

  /// The smallest value v such that at least `fraction` of the samples are <= v;
  /// samples in the overflow bucket report the maximum seen.
  [[nodiscard]] std::int64_t percentile(double fraction) const;

  /// Count, p50, p99, p99.9 and max.
  [[nodiscard]] latency_summary summary() const;

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }

private:
  std::vector<std::uint32_t> buckets_;
  std::uint64_t count_ = 0;
  std::uint64_t overflow_ = 0;
  std::int64_t max_ = 0;
};

} // namespace bench
