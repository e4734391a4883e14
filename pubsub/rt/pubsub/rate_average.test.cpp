#include "rt/pubsub/rate_average.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using rt::pubsub::rate_average;

namespace {

rate_average::clock::time_point at(rate_average::clock::duration offset) {
  return rate_average::clock::time_point{} + 1000h + offset;
}

} // namespace

TEST(rate_average, is_zero_until_the_first_tick_closes) {
  rate_average r{at(0s)};
  r.add(at(1s), 500);
  EXPECT_EQ(r.per_second(at(4999ms)), 0.0);
  EXPECT_DOUBLE_EQ(r.per_second(at(5s)), 100.0);
}

TEST(rate_average, averages_over_the_ticks_kept) {
  rate_average r{at(0s)};
  r.add(at(1s), 50); // tick 0: 10/s
  r.add(at(6s), 150); // tick 1: 30/s
  EXPECT_DOUBLE_EQ(r.per_second(at(10s)), 20.0);
}

TEST(rate_average, quiet_ticks_count_as_zeros) {
  rate_average r{at(0s)};
  r.add(at(1s), 100);
  EXPECT_DOUBLE_EQ(r.per_second(at(20s)), 100.0 / 20.0);
}

TEST(rate_average, forgets_ticks_older_than_the_window) {
  rate_average r{at(0s), 5s, 12};
  r.add(at(1s), 6000);
  EXPECT_DOUBLE_EQ(r.per_second(at(60s)), 6000.0 / 60.0);
  EXPECT_DOUBLE_EQ(r.per_second(at(65s)), 0.0);
  r.add(at(66s), 5);
  EXPECT_DOUBLE_EQ(r.per_second(at(70s)), 5.0 / 60.0);
}

TEST(rate_average, a_long_silence_clears_everything) {
  rate_average r{at(0s)};
  r.add(at(1s), 1000);
  EXPECT_DOUBLE_EQ(r.per_second(at(1h)), 0.0);
  r.add(at(1h + 1s), 60);
  EXPECT_DOUBLE_EQ(r.per_second(at(1h + 5s)), 60.0 / 60.0);
}
