#include "rt/pubsub/rate_window.hpp"

#include <gtest/gtest.h>

#include <chrono>

using namespace std::chrono_literals;
using rt::pubsub::rate_window;

namespace {

/// A fixed time point `offset` after an arbitrary origin well away from the
/// clock's epoch.
rate_window::clock::time_point at(rate_window::clock::duration offset) {
  return rate_window::clock::time_point{} + 1000h + offset;
}

} // namespace

TEST(rate_window, admits_events_up_to_the_limit) {
  rate_window w{1s, 10};
  EXPECT_TRUE(w.try_add(at(0ms), 3));
  EXPECT_TRUE(w.try_add(at(10ms), 3));
  EXPECT_TRUE(w.try_add(at(20ms), 3));
  EXPECT_FALSE(w.try_add(at(30ms), 3));
  EXPECT_EQ(w.count(at(30ms)), 3u);
}

TEST(rate_window, refused_events_are_not_counted) {
  rate_window w{1s, 10};
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(w.try_add(at(0ms), 2));
  for (int i = 0; i < 5; ++i)
    EXPECT_FALSE(w.try_add(at(100ms), 2));
  EXPECT_EQ(w.count(at(100ms)), 2u);
}

TEST(rate_window, count_does_not_record_an_event) {
  rate_window w{1s, 10};
  EXPECT_EQ(w.count(at(0ms)), 0u);
  EXPECT_EQ(w.count(at(0ms)), 0u);
  EXPECT_TRUE(w.try_add(at(0ms), 1));
  EXPECT_EQ(w.count(at(0ms)), 1u);
}

TEST(rate_window, a_zero_limit_admits_nothing) {
  rate_window w{1s, 10};
  EXPECT_FALSE(w.try_add(at(0ms), 0));
  EXPECT_EQ(w.count(at(0ms)), 0u);
}

TEST(rate_window, events_leave_the_window_slice_by_slice) {
  // 1 s window in 100 ms slices: two events in slice [0,100), one in [500,600).
  rate_window w{1s, 10};
  ASSERT_TRUE(w.try_add(at(0ms), 3));
  ASSERT_TRUE(w.try_add(at(50ms), 3));
  ASSERT_TRUE(w.try_add(at(500ms), 3));
  EXPECT_FALSE(w.try_add(at(999ms), 3));
  EXPECT_EQ(w.count(at(999ms)), 3u);
  // Slice [0,100) falls out when slice [1000,1100) begins.
  EXPECT_EQ(w.count(at(1000ms)), 1u);
  EXPECT_TRUE(w.try_add(at(1000ms), 3));
  EXPECT_EQ(w.count(at(1499ms)), 2u);
  // Slice [500,600) falls out at 1500 ms.
  EXPECT_EQ(w.count(at(1500ms)), 1u);
  // The event at 1000 ms falls out at 2000 ms.
  EXPECT_EQ(w.count(at(1999ms)), 1u);
  EXPECT_EQ(w.count(at(2000ms)), 0u);
}

TEST(rate_window, keeps_a_steady_rate_at_the_limit) {
  // One event every 100 ms with a limit of 10 per second: always admitted,
  // and an extra one in any slice is refused.
  rate_window w{1s, 10};
  for (int i = 0; i < 50; ++i) {
    auto now = at(i * 100ms);
    ASSERT_TRUE(w.try_add(now, 10)) << i;
    if (i >= 9) {
      EXPECT_FALSE(w.try_add(now + 1ms, 10)) << i;
    }
  }
  EXPECT_EQ(w.count(at(4950ms)), 10u);
}

TEST(rate_window, a_long_gap_clears_everything) {
  rate_window w{1s, 10};
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(w.try_add(at(i * 150ms), 5));
  ASSERT_FALSE(w.try_add(at(700ms), 5));
  EXPECT_EQ(w.count(at(1h)), 0u);
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(w.try_add(at(1h), 5)) << i;
  EXPECT_FALSE(w.try_add(at(1h), 5));
}

TEST(rate_window, a_gap_of_exactly_one_window_clears_everything) {
  rate_window w{1s, 4};
  for (auto t : {0ms, 250ms, 500ms, 750ms})
    ASSERT_TRUE(w.try_add(at(t), 4));
  EXPECT_EQ(w.count(at(1750ms)), 0u);
}

TEST(rate_window, a_single_bucket_is_a_fixed_window) {
  rate_window w{1s, 1};
  ASSERT_TRUE(w.try_add(at(0ms), 2));
  ASSERT_TRUE(w.try_add(at(900ms), 2));
  EXPECT_FALSE(w.try_add(at(999ms), 2));
  EXPECT_EQ(w.count(at(1000ms)), 0u);
  EXPECT_TRUE(w.try_add(at(1000ms), 2));
}
