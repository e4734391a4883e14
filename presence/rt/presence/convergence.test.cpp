// Randomized convergence: replicas gossiping over a lossy, reordering,
// duplicating network, with partitions and restarts, list exactly what the
// replicas track once an anti-entropy round has run.

#include <gtest/gtest.h>

#include "rt/presence/test_cluster.hpp"

namespace rt::presence::test_support {
namespace {

void expect_convergence(std::uint64_t seed, cluster_options options) {
  cluster_sim sim{seed, options};
  ASSERT_TRUE(sim.run());
  ASSERT_TRUE(sim.anti_entropy());
  EXPECT_TRUE(sim.lists_match_truth());
}

class three_replicas : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(three_replicas, converge_after_lossy_gossip_and_partitions) {
  expect_convergence(GetParam(), cluster_options{.replicas = 3, .steps = 400});
}

INSTANTIATE_TEST_SUITE_P(seeds, three_replicas, ::testing::Range<std::uint64_t>(1, 31));

class five_replicas : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(five_replicas, converge_with_restarts_and_heavy_loss) {
  expect_convergence(GetParam(), cluster_options{.replicas = 5,
                                                 .steps = 600,
                                                 .drop_percent = 40,
                                                 .duplicate_percent = 20,
                                                 .partitions = true,
                                                 .restarts = true});
}

INSTANTIATE_TEST_SUITE_P(seeds, five_replicas, ::testing::Range<std::uint64_t>(1, 16));

class reliable_network : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(reliable_network, converges_without_loss_or_partitions) {
  expect_convergence(GetParam(), cluster_options{.replicas = 4,
                                                 .steps = 400,
                                                 .drop_percent = 0,
                                                 .duplicate_percent = 0,
                                                 .partitions = false});
}

INSTANTIATE_TEST_SUITE_P(seeds, reliable_network, ::testing::Range<std::uint64_t>(1, 9));

TEST(cluster_sim, runs_exercise_every_kind_of_event) {
  cluster_stats total;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    cluster_sim sim{seed, cluster_options{.replicas = 4, .steps = 500, .restarts = true}};
    ASSERT_TRUE(sim.run());
    ASSERT_TRUE(sim.anti_entropy());
    const auto& s = sim.stats();
    total.changing_merges += s.changing_merges;
    total.full_transfers += s.full_transfers;
    total.delta_transfers += s.delta_transfers;
    total.dropped += s.dropped;
    total.duplicated += s.duplicated;
    total.partitions += s.partitions;
    total.restarts += s.restarts;
  }
  EXPECT_GT(total.changing_merges, 100u);
  EXPECT_GT(total.full_transfers, 10u);
  EXPECT_GT(total.delta_transfers, 10u);
  EXPECT_GT(total.dropped, 10u);
  EXPECT_GT(total.duplicated, 10u);
  EXPECT_GT(total.partitions, 2u);
  EXPECT_GT(total.restarts, 1u);
}

TEST(cluster_sim, the_truth_check_sees_replicas_that_never_heard_each_other) {
  cluster_sim sim{7, cluster_options{.replicas = 3, .steps = 200, .drop_percent = 100}};
  ASSERT_TRUE(sim.run());
  ASSERT_GT(sim.tracked(), 0u);
  EXPECT_FALSE(sim.lists_match_truth());
  // One reliable round repairs even total loss.
  ASSERT_TRUE(sim.anti_entropy());
  EXPECT_TRUE(sim.lists_match_truth());
}

} // namespace
} // namespace rt::presence::test_support
