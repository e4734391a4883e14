#include "rt/presence/peer_watch.hpp"

#include <gtest/gtest.h>

namespace rt::presence {
namespace {

using namespace std::chrono_literals;
using time_point = peer_watch::time_point;

const replica_ref self{"self", 1};
const replica_ref a1{"a", 1};
const replica_ref a2{"a", 2};
const replica_ref b1{"b", 1};
const replica_ref c1{"c", 1};
const time_point t0{};
const gossip_settings settings{};

TEST(peer_watch, a_first_heartbeat_brings_a_replica_up_and_later_ones_do_not) {
  peer_watch w;
  auto first = w.heard(a1, {}, t0);
  EXPECT_TRUE(first.came_up);
  EXPECT_FALSE(first.replaced);
  EXPECT_FALSE(w.heard(a1, {}, t0 + 1s).came_up);
  EXPECT_TRUE(w.is_up(a1));
}

TEST(peer_watch, silence_past_the_down_period_marks_down_once_then_a_heartbeat_brings_it_up) {
  peer_watch w;
  (void)w.heard(a1, {}, t0);
  EXPECT_TRUE(w.expire(t0 + settings.down_period, settings).down.empty());
  auto e = w.expire(t0 + settings.down_period + 1ms, settings);
  EXPECT_EQ(e.down, std::vector<replica_ref>{a1});
  EXPECT_FALSE(w.is_up(a1));
  EXPECT_TRUE(w.expire(t0 + settings.down_period + 2s, settings).down.empty());
  EXPECT_TRUE(w.heard(a1, {}, t0 + 40s).came_up);
  EXPECT_TRUE(w.is_up(a1));
}

TEST(peer_watch, silence_past_the_permdown_period_forgets_the_replica) {
  peer_watch w;
  (void)w.heard(a1, {}, t0);
  (void)w.expire(t0 + settings.down_period + 1ms, settings);
  auto e = w.expire(t0 + settings.permdown_period + 1ms, settings);
  EXPECT_EQ(e.permdown, std::vector<replica_ref>{a1});
  EXPECT_EQ(w.size(), 0u);
  EXPECT_TRUE(w.heard(a1, {}, t0 + settings.permdown_period + 2s).came_up);
}

TEST(peer_watch, a_node_heard_with_a_new_version_replaces_its_old_replica) {
  peer_watch w;
  (void)w.heard(a1, {}, t0);
  auto r = w.heard(a2, {}, t0 + 1s);
  ASSERT_TRUE(r.replaced);
  EXPECT_EQ(*r.replaced, a1);
  EXPECT_TRUE(r.came_up);
  EXPECT_FALSE(w.is_up(a1));
  EXPECT_TRUE(w.is_up(a2));
  EXPECT_EQ(w.size(), 1u);
}

TEST(peer_watch, transfers_go_to_the_fewest_replicas_whose_clocks_cover_the_others) {
  peer_watch w;
  version_vector own{{self, 3}, {a1, 1}, {b1, 1}, {c1, 1}};
  // b is ahead of a on everything; c knows something neither knows.
  (void)w.heard(a1, {{self, 3}, {a1, 2}, {b1, 1}, {c1, 1}}, t0);
  (void)w.heard(b1, {{self, 3}, {a1, 2}, {b1, 4}, {c1, 1}}, t0);
  (void)w.heard(c1, {{self, 3}, {a1, 1}, {b1, 1}, {c1, 5}}, t0);
  auto targets = w.transfer_targets(self, own);
  EXPECT_EQ(targets, (std::vector<replica_ref>{b1, c1}));
}

TEST(peer_watch, no_transfer_when_our_own_clock_covers_what_we_heard) {
  peer_watch w;
  version_vector own{{self, 3}, {a1, 7}};
  (void)w.heard(a1, {{self, 3}, {a1, 7}}, t0);
  EXPECT_TRUE(w.transfer_targets(self, own).empty());
}

TEST(peer_watch, equal_clocks_need_one_transfer_and_heard_clocks_are_used_once) {
  peer_watch w;
  version_vector own{{self, 1}};
  version_vector ahead{{self, 1}, {a1, 2}, {b1, 2}};
  (void)w.heard(a1, ahead, t0);
  (void)w.heard(b1, ahead, t0);
  EXPECT_EQ(w.transfer_targets(self, own).size(), 1u);
  EXPECT_TRUE(w.transfer_targets(self, own).empty());
}

TEST(peer_watch, a_forgotten_replica_is_neither_watched_nor_asked) {
  peer_watch w;
  (void)w.heard(a1, {{a1, 9}}, t0);
  w.forget(a1);
  EXPECT_EQ(w.size(), 0u);
  EXPECT_TRUE(w.transfer_targets(self, {{self, 1}}).empty());
  EXPECT_TRUE(w.expire(t0 + settings.permdown_period + 1s, settings).permdown.empty());
}

} // namespace
} // namespace rt::presence
