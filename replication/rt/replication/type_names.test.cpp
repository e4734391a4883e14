#include "rt/replication/type_names.hpp"

#include <gtest/gtest.h>

using namespace rt::replication;

TEST(type_names, built_in_names_as_pg_type_spells_them) {
  type_names names;
  EXPECT_EQ(names.name(20), "int8");
  EXPECT_EQ(names.name(1184), "timestamptz");
  EXPECT_EQ(names.name(1009), "_text");
  EXPECT_EQ(names.name(3802), "jsonb");
}

TEST(type_names, announced_types_are_named_and_unknown_ones_keep_their_oid) {
  type_names names;
  EXPECT_EQ(names.name(16400), "16400");
  names.put(type_message{16400, "public", "mood"});
  EXPECT_EQ(names.name(16400), "mood");
  names.put(type_message{16400, "public", "feeling"});
  EXPECT_EQ(names.name(16400), "feeling");
}

TEST(type_names, commit_timestamps_are_utc_with_milliseconds) {
  EXPECT_EQ(format_commit_timestamp(0), "2000-01-01T00:00:00.000Z");
  // 2025-11-19T00:22:40.877923Z is 816 826 960.877923 s after 2000-01-01; the
  // microseconds are truncated, not rounded.
  EXPECT_EQ(format_commit_timestamp(816'826'960'877'923), "2025-11-19T00:22:40.877Z");
  EXPECT_EQ(format_commit_timestamp(-1'000), "1999-12-31T23:59:59.999Z");
}
