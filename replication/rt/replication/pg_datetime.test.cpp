#include "rt/replication/pg_datetime.hpp"

#include <gtest/gtest.h>

using namespace rt::replication::detail;

namespace {

constexpr std::int64_t day_usecs = 86'400'000'000;

instant days(std::int64_t n, std::int64_t usecs = 0) { return {n, usecs, 0}; }

} // namespace

TEST(PgInterval, parts_in_output_order_add_up_with_thirty_day_months) {
  EXPECT_EQ(parse_interval("1 year 2 mons 3 days 04:00:00"), days(360 + 60 + 3, day_usecs / 6));
  EXPECT_EQ(parse_interval("-1 years +2 mons"), days(-360 + 60));
  EXPECT_EQ(parse_interval("1 day -00:00:01"), days(0, day_usecs - 1'000'000));
  EXPECT_EQ(parse_interval("00:00:00"), days(0));
  EXPECT_EQ(parse_interval("infinity"), infinite_future);
}

TEST(PgInterval, a_unit_twice_or_out_of_order_is_not_interval_output) {
  for (std::string_view s : {"1 day 1 day", "1 year 2 years", "1 mon 1 year", "3 days 1 mon",
                             "01:00:00 1 day", "01:00:00 01:00:00", "1 days 2 mons 3 years"})
    EXPECT_FALSE(parse_interval(s).has_value()) << s;
}

TEST(PgInterval, the_largest_counts_do_not_overflow) {
  // int32 months and days print at most 10 digits; hours up to 2562047788.
  auto widest = parse_interval("-9999999999 years -9999999999 mons -9999999999 days "
                               "-2562047788:00:54.775807");
  ASSERT_TRUE(widest.has_value());
  EXPECT_LT(*widest, days(-9999999999LL * 12 * 30));
  EXPECT_FALSE(parse_interval("99999999999:00:00").has_value());
  EXPECT_FALSE(parse_interval("99999999999 days").has_value());
}

TEST(PgTimestamp, offsets_and_eras) {
  EXPECT_EQ(parse_timestamptz("2000-01-01 04:30:00+00"), parse_timestamptz("2000-01-01 10:00:00+05:30"));
  EXPECT_LT(parse_date("0001-01-01 BC"), parse_date("0001-01-01"));
  EXPECT_FALSE(parse_date("0000-01-01").has_value());
  EXPECT_FALSE(parse_timestamp("2023-02-29 00:00:00").has_value());
  EXPECT_LT(parse_timetz("10:00:00+01"), parse_timetz("09:00:00+00")); // eastern zone first
}
