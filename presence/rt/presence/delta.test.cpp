#include "rt/presence/delta.hpp"

#include <gtest/gtest.h>

#include "rt/presence/replicated_state.hpp"

namespace rt::presence {
namespace {

const replica_ref s1{"s1", 1};
const replica_ref s2{"s2", 1};
const replica_ref s3{"s3", 1};

std::vector<std::string> keys_of(const delta& d) {
  std::vector<std::string> out;
  for (const auto& [dt, e] : d.values)
    out.push_back(e.topic + "/" + e.key);
  return out;
}

TEST(merge_deltas, refuses_ranges_with_a_gap_in_either_order) {
  replicated_state s{s1};
  ASSERT_TRUE(s.join(1, "lobby", "user1", {}));
  delta first = s.pending_delta(); // (0, 1]
  ASSERT_TRUE(s.join(2, "lobby", "user2", {}));
  s.take_delta(); // (0, 2], never merged below
  ASSERT_TRUE(s.join(3, "lobby", "user3", {}));
  delta third = s.pending_delta(); // (2, 3]
  EXPECT_EQ(merge_deltas(first, third), tl::unexpected(errc::not_contiguous));
  EXPECT_EQ(merge_deltas(third, first), tl::unexpected(errc::not_contiguous));
}

TEST(merge_deltas, joins_adjacent_ranges) {
  replicated_state s{s1};
  ASSERT_TRUE(s.join(1, "lobby", "user1", {}));
  auto d1 = s.take_delta();
  ASSERT_TRUE(s.join(2, "lobby", "user2", {}));
  auto d2 = s.take_delta();
  auto merged = merge_deltas(d1, d2);
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged->start, (version_vector{{s1, 0}}));
  EXPECT_EQ(merged->end, (version_vector{{s1, 2}}));
  EXPECT_EQ(keys_of(*merged), (std::vector<std::string>{"lobby/user1", "lobby/user2"}));
  EXPECT_EQ(merged->clouds, (dot_clouds{{s1, {1, 2}}}));
}

TEST(merge_deltas, of_two_replicas_unions_values_and_clouds) {
  replicated_state a{s1}, b{s2};
  ASSERT_TRUE(a.join(1, "lobby", "user1", {}));
  ASSERT_TRUE(a.join(1, "private", "user1", {}));
  ASSERT_TRUE(b.join(2, "lobby", "user2", {}));
  ASSERT_TRUE(b.join(2, "private", "user2", {}));
  auto merged = merge_deltas(a.pending_delta(), b.pending_delta());
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged->values.size(), 4u);
  EXPECT_TRUE(merged->values.contains(dot{s1, 1}));
  EXPECT_TRUE(merged->values.contains(dot{s2, 2}));
  EXPECT_EQ(merged->clouds, (dot_clouds{{s1, {1, 2}}, {s2, {1, 2}}}));
}

TEST(merge_deltas, a_removal_drops_the_value_and_keeps_its_dot) {
  replicated_state s{s1};
  ASSERT_TRUE(s.join(1, "lobby", "user1", {}));
  ASSERT_TRUE(s.join(1, "private", "user1", {}));
  auto joined = s.take_delta();
  ASSERT_TRUE(s.leave(1, "private", "user1"));
  auto left = s.take_delta();
  auto merged = merge_deltas(joined, left);
  ASSERT_TRUE(merged);
  EXPECT_EQ(keys_of(*merged), (std::vector<std::string>{"lobby/user1"}));
  EXPECT_EQ(merged->clouds, (dot_clouds{{s1, {1, 2, 3}}}));
  EXPECT_EQ(delta_size(*merged), 4u);
}

TEST(merge_deltas, concurrent_changes_of_two_replicas_keep_each_others_values) {
  replicated_state a{s1}, b{s2};
  ASSERT_TRUE(a.join(1, "lobby", "user1", {}));
  ASSERT_TRUE(a.join(1, "private", "user1", {}));
  ASSERT_TRUE(b.join(1, "lobby", "user1", {}));
  ASSERT_TRUE(b.leave(1, "lobby", "user1"));
  auto merged = merge_deltas(a.pending_delta(), b.pending_delta());
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged->values.size(), 2u);
  EXPECT_EQ(merged->clouds, (dot_clouds{{s1, {1, 2}}, {s2, {1, 2}}}));
  // Merging a delta already included changes nothing.
  EXPECT_EQ(merge_deltas(*merged, b.pending_delta()), *merged);
  EXPECT_EQ(merge_deltas(*merged, *merged), *merged);
}

TEST(delta_size, counts_values_and_cloud_dots) {
  replicated_state s{s1};
  EXPECT_EQ(delta_size(s.pending_delta()), 0u);
  EXPECT_FALSE(has_events(s.pending_delta()));
  ASSERT_TRUE(s.join(1, "t", "k", {}));
  EXPECT_EQ(delta_size(s.pending_delta()), 2u);
  ASSERT_TRUE(s.leave(1, "t", "k"));
  EXPECT_EQ(delta_size(s.pending_delta()), 2u); // dots 1 and 2, no value
  EXPECT_TRUE(has_events(s.pending_delta()));
}

TEST(delta_for, keeps_what_the_requester_knows_and_nothing_of_its_own) {
  delta d;
  d.start = {{s1, 0}, {s2, 0}, {s3, 0}};
  d.end = {{s1, 1}, {s2, 1}, {s3, 1}};
  d.clouds = {{s1, {1}}, {s2, {1}}, {s3, {1}}};
  d.values = {{dot{s1, 1}, element{"t", "a", 1, {}}},
              {dot{s2, 1}, element{"t", "b", 1, {}}},
              {dot{s3, 1}, element{"t", "c", 1, {}}}};
  auto out = delta_for(d, s2, version_vector{{s1, 0}, {s2, 0}});
  EXPECT_EQ(out.start, (version_vector{{s1, 0}}));
  EXPECT_EQ(out.end, (version_vector{{s1, 1}}));
  EXPECT_EQ(out.clouds, (dot_clouds{{s1, {1}}}));
  ASSERT_EQ(out.values.size(), 1u);
  EXPECT_TRUE(out.values.contains(dot{s1, 1}));
}

TEST(forget_replica, removes_a_replica_from_a_delta) {
  replicated_state a{s1}, b{s2};
  ASSERT_TRUE(a.join(1, "t", "a", {}));
  ASSERT_TRUE(b.join(1, "t", "b", {}));
  auto merged = merge_deltas(a.pending_delta(), b.pending_delta());
  ASSERT_TRUE(merged);
  forget_replica(*merged, s2);
  EXPECT_EQ(*merged, a.pending_delta());
}

} // namespace
} // namespace rt::presence
