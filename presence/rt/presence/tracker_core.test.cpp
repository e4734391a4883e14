#include "rt/presence/tracker_core.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace rt::presence {
namespace {

const replica_ref ra{"a", 1};
const replica_ref rb{"b", 1};

boost::json::object object_of(std::string_view json) {
  return boost::json::parse(json).as_object();
}

tracker_core core_with_fixed_refs(const replica_ref& self) {
  return tracker_core{self, phx_ref_source{0x0102}};
}

TEST(tracker_core, track_stores_the_client_meta_under_a_new_phx_ref) {
  auto core = core_with_fixed_refs(ra);
  auto diff = core.track(1, "room", "u1", object_of(R"({"name":"ann"})"), 1000);
  ASSERT_TRUE(diff);
  ASSERT_EQ(diff->joins.size(), 1u);
  EXPECT_TRUE(diff->leaves.empty());
  EXPECT_EQ(boost::json::serialize(diff->joins[0].meta),
            R"({"phx_ref":"AAAAAAAAA-gBAgAA","name":"ann"})");
  ASSERT_NE(core.find_local(1, "room", "u1"), nullptr);
  EXPECT_EQ(*core.find_local(1, "room", "u1"), diff->joins[0].meta);
  EXPECT_EQ(core.list("room").size(), 1u);
  EXPECT_EQ(core.get_by_key("room", "u1").size(), 1u);
}

TEST(tracker_core, tracking_the_same_presence_twice_is_refused) {
  auto core = core_with_fixed_refs(ra);
  ASSERT_TRUE(core.track(1, "room", "u1", {}, 1));
  EXPECT_EQ(core.track(1, "room", "u1", {}, 2).error(), errc::already_tracked);
  EXPECT_EQ(core.list("room").size(), 1u);
}

TEST(tracker_core, update_joins_the_new_meta_with_phx_ref_prev_and_leaves_the_old) {
  auto core = core_with_fixed_refs(ra);
  ASSERT_TRUE(core.track(1, "room", "u1", object_of(R"({"s":"away"})"), 1000));
  auto diff = core.update(1, "room", "u1", object_of(R"({"s":"here"})"), 2000);
  ASSERT_TRUE(diff);
  ASSERT_EQ(diff->joins.size(), 1u);
  ASSERT_EQ(diff->leaves.size(), 1u);
  EXPECT_EQ(boost::json::serialize(diff->joins[0].meta),
            R"({"phx_ref":"AAAAAAAAB9ABAgAB","phx_ref_prev":"AAAAAAAAA-gBAgAA","s":"here"})");
  EXPECT_EQ(boost::json::serialize(diff->leaves[0].meta),
            R"({"phx_ref":"AAAAAAAAA-gBAgAA","s":"away"})");
  ASSERT_EQ(core.list("room").size(), 1u);
  EXPECT_EQ(*core.list("room")[0].meta, diff->joins[0].meta);
}

TEST(tracker_core, update_and_untrack_of_nothing_are_not_tracked) {
  auto core = core_with_fixed_refs(ra);
  EXPECT_EQ(core.update(1, "room", "u1", {}, 1).error(), errc::not_tracked);
  EXPECT_EQ(core.untrack(1, "room", "u1").error(), errc::not_tracked);
}

TEST(tracker_core, untrack_and_untrack_owner_report_leaves) {
  auto core = core_with_fixed_refs(ra);
  ASSERT_TRUE(core.track(1, "room", "u1", {}, 1));
  ASSERT_TRUE(core.track(2, "room", "u2", {}, 2));
  ASSERT_TRUE(core.track(2, "hall", "u2", {}, 3));
  auto left = core.untrack(1, "room", "u1");
  ASSERT_TRUE(left);
  ASSERT_EQ(left->leaves.size(), 1u);
  EXPECT_EQ(left->leaves[0].key, "u1");
  EXPECT_EQ(core.untrack_owner(2).leaves.size(), 2u);
  EXPECT_TRUE(core.list("room").empty());
  EXPECT_TRUE(core.list("hall").empty());
}

TEST(tracker_core, a_heartbeat_delta_only_when_something_happened) {
  tracker_core core{ra};
  EXPECT_FALSE(core.take_heartbeat_delta());
  ASSERT_TRUE(core.track(1, "room", "u1", {}, 1));
  auto d = core.take_heartbeat_delta();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->values.size(), 1u);
  EXPECT_EQ(core.generations().generations().size(), 3u);
  EXPECT_FALSE(core.take_heartbeat_delta());
}

TEST(tracker_core, heartbeats_carry_presences_between_replicas) {
  tracker_core a{ra}, b{rb};
  ASSERT_TRUE(a.replica_up(rb));
  ASSERT_TRUE(b.replica_up(ra));
  ASSERT_TRUE(a.track(1, "room", "u1", {}, 1));
  auto diff = b.merge_heartbeat(*a.take_heartbeat_delta());
  ASSERT_EQ(diff.joins.size(), 1u);
  EXPECT_EQ(diff.joins[0].replica, ra);
  EXPECT_EQ(b.list("room").size(), 1u);
  EXPECT_EQ(b.generations().generations().size(), 3u);
}

TEST(tracker_core, a_requester_one_heartbeat_behind_is_sent_a_delta) {
  tracker_core a{ra}, b{rb};
  ASSERT_TRUE(a.replica_up(rb));
  ASSERT_TRUE(b.replica_up(ra));
  ASSERT_TRUE(a.track(1, "room", "u1", {}, 1));
  b.merge_heartbeat(*a.take_heartbeat_delta());
  ASSERT_TRUE(a.track(2, "room", "u2", {}, 2));
  a.take_heartbeat_delta(); // lost on the way to b
  auto answer = a.answer_transfer(rb, b.clocks());
  ASSERT_TRUE(std::holds_alternative<delta>(answer));
  auto diff = b.merge_transfer(answer);
  ASSERT_EQ(diff.joins.size(), 1u);
  EXPECT_EQ(diff.joins[0].key, "u2");
  EXPECT_EQ(b.clocks(), a.clocks());
}

TEST(tracker_core, a_requester_behind_every_generation_is_sent_the_full_state) {
  tracker_core a{ra, {1, 1, 1}}, b{rb};
  ASSERT_TRUE(a.replica_up(rb));
  ASSERT_TRUE(b.replica_up(ra));
  // Four heartbeats lost on the way to b; with windows this small, the
  // largest no longer reaches back to b's clock.
  for (owner_id owner = 1; owner <= 4; ++owner) {
    ASSERT_TRUE(a.track(owner, "room", "u" + std::to_string(owner), {}, owner));
    ASSERT_TRUE(a.take_heartbeat_delta());
  }
  EXPECT_EQ(a.generations().generations().back().start, (version_vector{{ra, 1}}));
  auto answer = a.answer_transfer(rb, b.clocks());
  ASSERT_TRUE(std::holds_alternative<causal_state>(answer));

  ASSERT_TRUE(a.track(5, "room", "u5", {}, 5));
  b.merge_heartbeat(*a.take_heartbeat_delta());
  EXPECT_FALSE(b.generations().generations().empty());
  EXPECT_EQ(b.merge_transfer(answer).joins.size(), 4u);
  EXPECT_TRUE(b.generations().generations().empty());
  EXPECT_EQ(b.list("room").size(), 5u);
}

TEST(tracker_core, a_transfer_answer_kept_by_the_requester_does_not_hide_its_presences) {
  const replica_ref rc{"c", 1};
  tracker_core a{ra}, b{rb}, c{rc};
  for (auto* core : {&a, &b, &c}) {
    for (const auto& r : {ra, rb, rc}) {
      if (r != core->self()) {
        ASSERT_TRUE(core->replica_up(r));
      }
    }
  }
  ASSERT_TRUE(b.track(1, "room", "bob", {}, 1));
  a.merge_heartbeat(*b.take_heartbeat_delta()); // lost on the way to c
  ASSERT_TRUE(a.track(1, "room", "ann", {}, 2));
  a.take_heartbeat_delta(); // lost on the way to b and c
  // b catches up from a and keeps a's answer in its generations.
  auto from_a = a.answer_transfer(rb, b.clocks());
  ASSERT_TRUE(std::holds_alternative<delta>(from_a));
  b.merge_transfer(from_a);
  // c catches up from b, which answers from those generations.
  auto from_b = b.answer_transfer(rc, c.clocks());
  ASSERT_TRUE(std::holds_alternative<delta>(from_b));
  c.merge_transfer(from_b);
  EXPECT_EQ(c.list("room").size(), 2u);
  EXPECT_EQ(c.get_by_key("room", "bob").size(), 1u);
}

TEST(tracker_core, an_up_to_date_requester_is_sent_a_state_that_changes_nothing) {
  tracker_core a{ra}, b{rb};
  ASSERT_TRUE(a.replica_up(rb));
  ASSERT_TRUE(b.replica_up(ra));
  ASSERT_TRUE(a.track(1, "room", "u1", {}, 1));
  b.merge_heartbeat(*a.take_heartbeat_delta());
  EXPECT_TRUE(b.merge_transfer(a.answer_transfer(rb, b.clocks())).empty());
}

TEST(tracker_core, permdown_forgets_the_replica_in_the_generations_too) {
  tracker_core a{ra}, b{rb};
  ASSERT_TRUE(a.replica_up(rb));
  ASSERT_TRUE(b.replica_up(ra));
  ASSERT_TRUE(a.track(1, "room", "u1", {}, 1));
  b.merge_heartbeat(*a.take_heartbeat_delta());
  auto gone = b.permdown(ra);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->leaves.size(), 1u);
  for (const auto& g : b.generations().generations()) {
    EXPECT_TRUE(g.values.empty());
    EXPECT_FALSE(g.end.contains(ra));
  }
  EXPECT_EQ(b.permdown(rb).error(), errc::own_replica);
}

TEST(tracker_core, replica_down_and_up_hide_and_restore) {
  tracker_core a{ra}, b{rb};
  ASSERT_TRUE(a.replica_up(rb));
  ASSERT_TRUE(b.replica_up(ra));
  ASSERT_TRUE(a.track(1, "room", "u1", {}, 1));
  b.merge_heartbeat(*a.take_heartbeat_delta());
  EXPECT_EQ(b.replica_down(ra)->leaves.size(), 1u);
  EXPECT_TRUE(b.list("room").empty());
  EXPECT_EQ(b.clocks(), (version_vector{{rb, 0}}));
  EXPECT_EQ(b.replica_up(ra)->joins.size(), 1u);
  EXPECT_EQ(b.list("room").size(), 1u);
}

} // namespace
} // namespace rt::presence
