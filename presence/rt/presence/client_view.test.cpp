// What a phoenix.js client sees: presence_state then the presence_diff
// payloads a replica emits, merged with Presence.syncState / syncDiff, must
// reproduce that replica's list.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "rt/presence/js_presence_model.hpp"
#include "rt/presence/test_cluster.hpp"
#include "rt/presence/tracker_core.hpp"
#include "rt/presence/wire_payload.hpp"

namespace rt::presence::test_support {
namespace {

const replica_ref ra{"a", 1};
const replica_ref rb{"b", 1};

boost::json::object state_of(const tracker_core& core, std::string_view topic) {
  return boost::json::parse(presence_state_json(core.list(topic))).as_object();
}

// A client on `topic` applying the diffs it is sent.
struct client {
  std::string topic;
  boost::json::object view;

  void receive(const presence_diff& diff) {
    for (const auto& payload : presence_diff_payloads(diff))
      if (payload.topic == topic)
        view = js_sync_diff(view, boost::json::parse(payload.json).as_object());
  }

  bool sees(const tracker_core& core) const {
    return js_normalized(view) == js_normalized(state_of(core, topic));
  }
};

boost::json::object meta(int n) {
  return boost::json::object{{"n", n}};
}

TEST(client_view, follows_tracks_updates_and_untracks) {
  tracker_core core{ra};
  client c{"room", {}};
  c.receive(*core.track(1, "room", "ann", meta(1), 10));
  c.receive(*core.track(2, "room", "ann", meta(2), 20));
  c.receive(*core.track(3, "other", "bob", meta(3), 30));
  EXPECT_TRUE(c.sees(core));
  c.receive(*core.update(1, "room", "ann", meta(4), 40));
  EXPECT_TRUE(c.sees(core));
  EXPECT_EQ(c.view.at("ann").at("metas").as_array().size(), 2u);
  c.receive(*core.untrack(2, "room", "ann"));
  c.receive(core.untrack_owner(1));
  EXPECT_TRUE(c.sees(core));
  EXPECT_TRUE(c.view.empty());
}

TEST(client_view, a_missed_leave_shows) {
  tracker_core core{ra};
  client c{"room", {}};
  c.receive(*core.track(1, "room", "ann", meta(1), 10));
  auto update = *core.update(1, "room", "ann", meta(2), 20);
  update.leaves.clear();
  c.receive(update);
  EXPECT_FALSE(c.sees(core));
}

TEST(client_view, a_late_joiner_gets_the_same_view_from_presence_state) {
  tracker_core a{ra}, b{rb};
  ASSERT_TRUE(a.replica_up(rb));
  ASSERT_TRUE(b.replica_up(ra));
  client early{"room", {}};
  early.receive(*a.track(1, "room", "ann", meta(1), 10));
  ASSERT_TRUE(b.track(1, "room", "bob", meta(2), 20));
  early.receive(a.merge_heartbeat(*b.take_heartbeat_delta()));
  client late{"room", js_sync_state({}, state_of(a, "room"))};
  EXPECT_TRUE(early.sees(a));
  EXPECT_TRUE(late.sees(a));
  EXPECT_EQ(js_normalized(early.view), js_normalized(late.view));
}

TEST(client_view, a_replica_going_down_and_up_leaves_and_rejoins) {
  tracker_core a{ra}, b{rb};
  ASSERT_TRUE(a.replica_up(rb));
  ASSERT_TRUE(b.replica_up(ra));
  client c{"room", {}};
  ASSERT_TRUE(b.track(1, "room", "bob", meta(1), 10));
  c.receive(a.merge_heartbeat(*b.take_heartbeat_delta()));
  c.receive(*a.replica_down(rb));
  EXPECT_TRUE(c.view.empty());
  ASSERT_TRUE(b.update(1, "room", "bob", meta(2), 20));
  c.receive(a.merge_heartbeat(*b.take_heartbeat_delta()));
  EXPECT_TRUE(c.view.empty());
  c.receive(*a.replica_up(rb));
  EXPECT_TRUE(c.sees(a));
  EXPECT_EQ(c.view.at("bob").at("metas").at(0).at("n"), 2);
}

class simulated_clients : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(simulated_clients, every_step_of_every_replica_matches_its_list) {
  // run() and anti_entropy() compare each replica's client views with its
  // list after every step.
  cluster_sim sim{GetParam(), cluster_options{.replicas = 3,
                                              .steps = 500,
                                              .drop_percent = 20,
                                              .duplicate_percent = 15,
                                              .partitions = true,
                                              .restarts = true}};
  ASSERT_TRUE(sim.run());
  ASSERT_TRUE(sim.anti_entropy());
}

INSTANTIATE_TEST_SUITE_P(seeds, simulated_clients, ::testing::Range<std::uint64_t>(100, 116));

} // namespace
} // namespace rt::presence::test_support
