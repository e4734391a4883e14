#include "rt/presence/version_vector.hpp"

#include <gtest/gtest.h>

namespace rt::presence {
namespace {

const replica_ref a{"a", 1};
const replica_ref b{"b", 1};
const replica_ref c{"c", 1};
const replica_ref d{"d", 1};

TEST(version_vector, clock_of_a_missing_replica_is_zero) {
  version_vector v{{a, 4}};
  EXPECT_EQ(clock_of(v, a), 4u);
  EXPECT_EQ(clock_of(v, b), 0u);
}

TEST(version_vector, dominates_needs_every_entry_of_the_other) {
  version_vector v1{{a, 1}, {b, 2}, {c, 3}};
  version_vector v2{{b, 2}, {c, 3}, {d, 1}};
  version_vector v3{{a, 1}, {b, 2}};
  EXPECT_TRUE(dominates(v1, v3));
  EXPECT_FALSE(dominates(v3, v1));
  EXPECT_FALSE(dominates(v1, v2));
  EXPECT_TRUE(dominates(v1, v1));
}

TEST(version_vector, dominates_is_false_with_fewer_entries_even_when_higher) {
  EXPECT_FALSE(dominates(version_vector{{a, 9}}, version_vector{{a, 1}, {b, 0}}));
}

TEST(version_vector, dominates_or_equal_looks_at_the_first_vectors_replicas_only) {
  version_vector start{{a, 2}};
  version_vector wide{{a, 2}, {b, 7}};
  EXPECT_TRUE(dominates_or_equal(start, wide));
  EXPECT_FALSE(dominates_or_equal(version_vector{{a, 1}}, wide));
  EXPECT_TRUE(dominates_or_equal(wide, start));
}

TEST(version_vector, dominates_or_equal_with_empty_vectors) {
  EXPECT_TRUE(dominates_or_equal({}, {}));
  EXPECT_FALSE(dominates_or_equal({}, version_vector{{a, 0}}));
  EXPECT_TRUE(dominates_or_equal(version_vector{{a, 0}}, {}));
}

TEST(version_vector, upper_bound_takes_the_maximum_over_both) {
  version_vector v1{{a, 1}, {b, 2}, {c, 2}};
  version_vector v2{{a, 3}, {b, 1}, {d, 2}};
  EXPECT_EQ(upper_bound_of(v1, v2), (version_vector{{a, 3}, {b, 2}, {c, 2}, {d, 2}}));
  EXPECT_EQ(upper_bound_of({}, v2), v2);
  EXPECT_EQ(upper_bound_of(v2, {}), v2);
}

TEST(version_vector, lower_bound_takes_the_minimum_and_keeps_one_sided_entries) {
  version_vector v1{{a, 1}, {b, 2}, {c, 2}};
  version_vector v2{{a, 3}, {b, 1}, {d, 2}};
  EXPECT_EQ(lower_bound_of(v1, v2), (version_vector{{a, 1}, {b, 1}, {c, 2}, {d, 2}}));
  EXPECT_EQ(lower_bound_of({}, v2), v2);
  EXPECT_EQ(lower_bound_of(v2, {}), v2);
}

TEST(version_vector, restricted_to_keeps_the_known_replicas) {
  version_vector v{{a, 1}, {b, 2}, {c, 3}};
  EXPECT_EQ(restricted_to(v, version_vector{{a, 0}, {b, 9}}), (version_vector{{a, 1}, {b, 2}}));
  EXPECT_EQ(restricted_to(v, version_vector{{a, 0}, {d, 0}}), (version_vector{{a, 1}}));
  EXPECT_EQ(restricted_to(v, version_vector{{d, 0}}), version_vector{});
}

} // namespace
} // namespace rt::presence
