#include "rt/presence/uuid_v1.hpp"

#include <gtest/gtest.h>

using rt::presence::uuid_v1;

TEST(uuid_v1, lays_out_time_version_variant_and_node) {
  // 1970-01-01 exactly: the Gregorian offset alone.
  EXPECT_EQ(uuid_v1(0, 0, 0), "13814000-1dd2-11b2-8000-010000000000");
  // 2001-09-09T01:46:40Z (1e9 s) with every field busy.
  EXPECT_EQ(uuid_v1(10'000'000'000'000'000ULL, 0x3FFF, 0xFFFFFFFFFFFFULL),
            "83424000-a4c4-11d5-bfff-ffffffffffff");
}

TEST(uuid_v1, differs_with_time_and_clock_sequence) {
  EXPECT_NE(uuid_v1(1, 7, 42), uuid_v1(2, 7, 42));
  EXPECT_NE(uuid_v1(1, 7, 42), uuid_v1(1, 8, 42));
  EXPECT_EQ(uuid_v1(1, 7, 42).size(), 36u);
}
