#include "rt/presence/causal_context.hpp"

#include <gtest/gtest.h>

namespace rt::presence {
namespace {

const replica_ref a{"a", 1};
const replica_ref b{"b", 1};

TEST(causal_context, covers_the_prefix_and_the_clouds) {
  causal_context c{{{a, 3}}, {{a, {5}}}};
  EXPECT_TRUE(covers(c, dot{a, 1}));
  EXPECT_TRUE(covers(c, dot{a, 3}));
  EXPECT_FALSE(covers(c, dot{a, 4}));
  EXPECT_TRUE(covers(c, dot{a, 5}));
  EXPECT_FALSE(covers(c, dot{a, 6}));
  EXPECT_FALSE(covers(c, dot{b, 1}));
}

TEST(causal_context, compact_folds_clouds_that_continue_the_prefix) {
  causal_context c{{{a, 2}}, {{a, {3, 4, 6}}}};
  compact(c);
  EXPECT_EQ(c.contiguous.at(a), 4u);
  EXPECT_EQ(c.clouds.at(a), (std::set<std::uint64_t>{6}));
}

TEST(causal_context, compact_drops_covered_dots_and_empty_clouds) {
  causal_context c{{{a, 5}}, {{a, {2, 5}}}};
  compact(c);
  EXPECT_EQ(c.contiguous.at(a), 5u);
  EXPECT_FALSE(c.clouds.contains(a));
}

TEST(causal_context, compact_leaves_clouds_of_replicas_without_a_prefix) {
  causal_context c{{{a, 0}}, {{b, {1, 2}}}};
  compact(c);
  EXPECT_FALSE(c.contiguous.contains(b));
  EXPECT_EQ(c.clouds.at(b), (std::set<std::uint64_t>{1, 2}));
}

TEST(causal_context, merge_clouds_and_dot_count) {
  dot_clouds into{{a, {1}}};
  merge_clouds(into, dot_clouds{{a, {2}}, {b, {7}}});
  add_to_clouds(into, dot{b, 8});
  EXPECT_EQ(dot_count(into), 4u);
  EXPECT_TRUE(in_clouds(into, dot{b, 8}));
  EXPECT_FALSE(in_clouds(into, dot{b, 9}));
}

TEST(causal_context, restricted_to_keeps_known_replicas_only) {
  causal_context c{{{a, 3}, {b, 1}}, {{a, {5}}, {b, {4}}}};
  auto r = restricted_to(c, version_vector{{a, 0}});
  EXPECT_EQ(r.contiguous, (version_vector{{a, 3}}));
  EXPECT_EQ(r.clouds, (dot_clouds{{a, {5}}}));
}

TEST(causal_context, forget_replica_removes_prefix_and_cloud) {
  causal_context c{{{a, 3}, {b, 1}}, {{b, {4}}}};
  forget_replica(c, b);
  EXPECT_EQ(c.contiguous, (version_vector{{a, 3}}));
  EXPECT_TRUE(c.clouds.empty());
}

} // namespace
} // namespace rt::presence
