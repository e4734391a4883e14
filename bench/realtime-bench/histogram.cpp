#include "histogram.hpp"

#include <algorithm>
#include <cmath>

namespace bench {

histogram::histogram() : buckets_(static_cast<std::size_t>(limit_us), 0) {}

void histogram::clear() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = 0;
  overflow_ = 0;
  max_ = 0;
}

std::int64_t histogram::percentile(double fraction) const {
  if (count_ == 0)
    return 0;
  auto target = static_cast<std::uint64_t>(std::ceil(static_cast<double>(count_) * fraction));
  target = std::clamp<std::uint64_t>(target, 1, count_);
  std::uint64_t seen = 0;
  auto top = std::min<std::int64_t>(max_, limit_us - 1);
  for (std::int64_t us = 0; us <= top; ++us) {
    seen += buckets_[static_cast<std::size_t>(us)];
    if (seen >= target)
      return us;
  }
  return max_;
}

latency_summary histogram::summary() const {
  latency_summary s;
  s.count = count_;
  s.overflow = overflow_;
  s.p50_us = percentile(0.50);
  s.p99_us = percentile(0.99);
  s.p999_us = percentile(0.999);
  s.max_us = max_;
  return s;
}

} // namespace bench
