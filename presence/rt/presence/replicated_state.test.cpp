#include "rt/presence/replicated_state.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace rt::presence {
namespace {

const replica_ref ra{"a", 1};
const replica_ref rb{"b", 1};
const replica_ref rc{"c", 1};

using keys = std::vector<std::string>;

keys keys_of(const std::vector<presence>& ps) {
  keys out;
  for (const auto& p : ps)
    out.push_back(p.key);
  std::sort(out.begin(), out.end());
  return out;
}

keys listed_keys(const replicated_state& s, std::string_view topic = "lobby") {
  keys out;
  for (const auto& v : s.list(topic))
    out.emplace_back(v.key);
  return out;
}

void connect(std::vector<replicated_state*> states) {
  for (auto* s : states) {
    for (auto* other : states) {
      if (s != other) {
        ASSERT_TRUE(s->replica_up(other->self()));
      }
    }
  }
}

// `to` merges the state `from` extracts for it.
presence_diff sync(const replicated_state& from, replicated_state& to) {
  return to.merge(from.extract(to.self(), to.clocks()));
}

boost::json::object meta(int n) {
  return boost::json::object{{"n", n}};
}

TEST(replicated_state, a_join_is_listed_and_a_leave_unlists_it) {
  replicated_state a{ra};
  auto joined = a.join(1, "lobby", "john", meta(1));
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->key, "john");
  EXPECT_EQ(joined->replica, ra);
  EXPECT_EQ(listed_keys(a), keys{"john"});
  auto left = a.leave(1, "lobby", "john");
  ASSERT_TRUE(left);
  EXPECT_EQ(left->meta, meta(1));
  EXPECT_EQ(listed_keys(a), keys{});
  EXPECT_EQ(a.size(), 0u);
}

TEST(replicated_state, tracking_twice_and_leaving_nothing_are_errors) {
  replicated_state a{ra};
  ASSERT_TRUE(a.join(1, "lobby", "john", {}));
  EXPECT_EQ(a.join(1, "lobby", "john", {}).error(), errc::already_tracked);
  EXPECT_TRUE(a.join(2, "lobby", "john", {}));
  EXPECT_TRUE(a.join(1, "lobby", "jane", {}));
  EXPECT_TRUE(a.join(1, "other", "john", {}));
  EXPECT_EQ(a.leave(3, "lobby", "john").error(), errc::not_tracked);
  EXPECT_EQ(a.leave_join(3, "lobby", "john", {}).error(), errc::not_tracked);
}

TEST(replicated_state, presences_of_other_replicas_merge) {
  replicated_state a{ra}, b{rb};
  connect({&a, &b});
  ASSERT_TRUE(a.join(1, "lobby", "alice", {}));
  ASSERT_TRUE(b.join(1, "lobby", "bob", {}));

  auto diff = sync(b, a);
  EXPECT_EQ(keys_of(diff.joins), keys{"bob"});
  EXPECT_TRUE(diff.leaves.empty());
  EXPECT_EQ(listed_keys(a), (keys{"alice", "bob"}));
  EXPECT_TRUE(sync(b, a).empty()); // merging again changes nothing

  EXPECT_EQ(keys_of(sync(a, b).joins), keys{"alice"});
  EXPECT_TRUE(sync(a, b).empty());

  ASSERT_TRUE(a.leave(1, "lobby", "alice"));
  diff = sync(a, b);
  EXPECT_TRUE(diff.joins.empty());
  EXPECT_EQ(keys_of(diff.leaves), keys{"alice"});
  EXPECT_EQ(listed_keys(b), keys{"bob"});
  EXPECT_TRUE(sync(a, b).empty());

  ASSERT_TRUE(b.join(2, "lobby", "carol", {}));
  EXPECT_EQ(keys_of(sync(b, a).joins), keys{"carol"});
  EXPECT_EQ(listed_keys(a), listed_keys(b));

  ASSERT_TRUE(b.leave_join(2, "lobby", "carol", meta(7)));
  diff = sync(b, a);
  ASSERT_EQ(diff.joins.size(), 1u);
  ASSERT_EQ(diff.leaves.size(), 1u);
  EXPECT_EQ(diff.joins[0].key, "carol");
  EXPECT_EQ(diff.joins[0].meta, meta(7));
  EXPECT_EQ(diff.leaves[0].key, "carol");
  EXPECT_TRUE(diff.leaves[0].meta.empty());
  EXPECT_TRUE(sync(b, a).empty());
  EXPECT_EQ(listed_keys(a), (keys{"bob", "carol"}));
}

TEST(replicated_state, a_down_replica_is_hidden_until_it_is_up) {
  replicated_state a{ra}, b{rb};
  connect({&a, &b});
  ASSERT_TRUE(a.join(1, "lobby", "alice", {}));
  ASSERT_TRUE(b.join(1, "lobby", "bob", {}));
  EXPECT_EQ(keys_of(sync(b, a).joins), keys{"bob"});
  ASSERT_TRUE(a.join(2, "lobby", "carol", {}));
  ASSERT_TRUE(a.leave(1, "lobby", "alice"));
  ASSERT_TRUE(a.join(3, "lobby", "david", {}));

  auto down = a.replica_down(rb);
  ASSERT_TRUE(down);
  EXPECT_TRUE(down->joins.empty());
  EXPECT_EQ(keys_of(down->leaves), keys{"bob"});
  EXPECT_EQ(listed_keys(a), (keys{"carol", "david"}));
  EXPECT_EQ(a.status_of(rb), replica_status::down);

  EXPECT_TRUE(sync(b, a).empty());
  EXPECT_EQ(listed_keys(a), (keys{"carol", "david"}));
  EXPECT_TRUE(a.replica_down(rb)->empty()); // already down

  auto up = a.replica_up(rb);
  ASSERT_TRUE(up);
  EXPECT_EQ(keys_of(up->joins), keys{"bob"});
  EXPECT_TRUE(up->leaves.empty());
  EXPECT_EQ(listed_keys(a), (keys{"bob", "carol", "david"}));
  EXPECT_TRUE(a.replica_up(rb)->empty()); // already up
}

TEST(replicated_state, joins_are_observed_via_another_replica) {
  replicated_state a{ra}, b{rb}, c{rc};
  connect({&a, &b, &c});
  ASSERT_TRUE(a.join(1, "lobby", "alice", {}));
  EXPECT_EQ(keys_of(sync(a, c).joins), keys{"alice"});
  // a and c split.
  EXPECT_TRUE(a.replica_down(rc)->empty());
  EXPECT_EQ(keys_of(c.replica_down(ra)->leaves), keys{"alice"});
  ASSERT_TRUE(a.join(2, "lobby", "bob", {}));
  EXPECT_EQ(keys_of(sync(a, b).joins), (keys{"alice", "bob"}));
  // c learns of bob from b (asking with its whole context, a included) but
  // keeps a's presences hidden while a is down.
  EXPECT_TRUE(c.merge(b.extract(rc, c.context().contiguous)).empty());
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(keys_of(c.replica_up(ra)->joins), (keys{"alice", "bob"}));
}

TEST(replicated_state, joins_via_another_replica_are_reported_when_the_maker_is_up) {
  replicated_state a{ra}, b{rb}, c{rc};
  connect({&a, &b, &c});
  ASSERT_TRUE(a.join(1, "lobby", "alice", {}));
  sync(a, c);
  ASSERT_TRUE(a.join(2, "lobby", "bob", {}));
  sync(a, b);
  EXPECT_EQ(keys_of(sync(b, c).joins), keys{"bob"});
}

TEST(replicated_state, removes_are_observed_via_another_replica) {
  replicated_state a{ra}, b{rb}, c{rc};
  connect({&a, &b, &c});
  ASSERT_TRUE(a.join(1, "lobby", "alice", {}));
  ASSERT_TRUE(a.join(2, "lobby", "bob", {}));
  EXPECT_EQ(keys_of(sync(a, b).joins), (keys{"alice", "bob"}));
  EXPECT_EQ(keys_of(sync(b, c).joins), (keys{"alice", "bob"}));
  ASSERT_TRUE(a.leave(2, "lobby", "bob"));
  EXPECT_EQ(keys_of(sync(a, b).leaves), keys{"bob"});
  auto diff = sync(b, c);
  EXPECT_TRUE(diff.joins.empty());
  EXPECT_EQ(keys_of(diff.leaves), keys{"bob"});
}

TEST(replicated_state, removals_travel_in_the_deltas_of_a_third_replica) {
  replicated_state a{ra}, b{rb}, c{rc};
  connect({&a, &b, &c});
  ASSERT_TRUE(a.join(1, "lobby", "alice", {}));
  auto joined = a.take_delta();
  b.merge(joined);
  c.merge(joined);
  b.take_delta();
  ASSERT_TRUE(a.leave(1, "lobby", "alice"));
  EXPECT_EQ(keys_of(b.merge(a.take_delta()).leaves), keys{"alice"});
  EXPECT_TRUE(b.has_delta());
  EXPECT_EQ(keys_of(c.merge(b.take_delta()).leaves), keys{"alice"});
}

TEST(replicated_state, get_by_key_lists_every_owner_of_the_key) {
  replicated_state s{ra};
  ASSERT_TRUE(s.join(1, "topic", "key1", meta(1)));
  ASSERT_TRUE(s.join(2, "topic", "key1", meta(2)));
  ASSERT_TRUE(s.join(2, "topic", "key2", meta(3)));
  auto found = s.get_by_key("topic", "key1");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].owner, 1u);
  EXPECT_EQ(*found[0].meta, meta(1));
  EXPECT_EQ(found[1].owner, 2u);
  EXPECT_EQ(*found[1].meta, meta(2));
  EXPECT_TRUE(s.get_by_key("another_topic", "key1").empty());
  EXPECT_TRUE(s.get_by_key("topic", "another_key").empty());
}

TEST(replicated_state, list_leaves_out_every_down_replica) {
  replicated_state a{ra}, b{rb}, c{rc};
  connect({&a, &b, &c});
  EXPECT_EQ(a.context().contiguous, (version_vector{{ra, 0}, {rb, 0}, {rc, 0}}));
  ASSERT_TRUE(a.join(1, "topic", "key1", {}));
  ASSERT_TRUE(a.join(1, "topic", "key2", {}));
  ASSERT_TRUE(b.join(1, "topic", "user2", {}));
  ASSERT_TRUE(c.join(1, "topic", "user3", {}));
  sync(b, a);
  sync(c, a);
  EXPECT_EQ(listed_keys(a, "topic"), (keys{"key1", "key2", "user2", "user3"}));
  ASSERT_TRUE(a.replica_down(rb));
  EXPECT_EQ(listed_keys(a, "topic"), (keys{"key1", "key2", "user3"}));
  ASSERT_TRUE(a.replica_down(rc));
  EXPECT_EQ(listed_keys(a, "topic"), (keys{"key1", "key2"}));
  EXPECT_TRUE(a.get_by_key("topic", "user3").empty());
  EXPECT_TRUE(a.list("another:topic").empty());
  EXPECT_EQ(a.size(), 4u);
}

TEST(replicated_state, permdown_forgets_a_replica_and_its_presences) {
  replicated_state a{ra}, b{rb};
  connect({&a, &b});
  ASSERT_TRUE(a.join(1, "lobby", "alice", {}));
  ASSERT_TRUE(b.join(1, "lobby", "bob", {}));
  sync(a, b);
  EXPECT_EQ(listed_keys(b), (keys{"alice", "bob"}));
  ASSERT_TRUE(b.replica_down(ra));
  auto gone = b.permdown(ra);
  ASSERT_TRUE(gone);
  EXPECT_TRUE(gone->empty()); // reported when it went down
  EXPECT_EQ(b.size(), 1u);
  EXPECT_FALSE(b.status_of(ra));
  EXPECT_FALSE(b.context().contiguous.contains(ra));
  ASSERT_TRUE(b.replica_up(ra));
  EXPECT_EQ(listed_keys(b), keys{"bob"});
}

TEST(replicated_state, permdown_of_an_up_replica_reports_its_presences) {
  replicated_state a{ra}, b{rb};
  connect({&a, &b});
  ASSERT_TRUE(a.join(1, "lobby", "alice", {}));
  sync(a, b);
  EXPECT_EQ(keys_of(b.permdown(ra)->leaves), keys{"alice"});
  EXPECT_TRUE(b.permdown(ra)->empty()); // already forgotten
}

TEST(replicated_state, deltas_carry_joins_and_leaves) {
  replicated_state a{ra}, b{rb};
  connect({&a, &b});
  ASSERT_TRUE(a.join(1, "lobby", "alice", {}));
  ASSERT_TRUE(b.join(1, "lobby", "bob", {}));
  EXPECT_EQ(keys_of(b.merge(a.pending_delta()).joins), keys{"alice"});
  EXPECT_EQ(b.clocks(), (version_vector{{ra, 1}, {rb, 1}}));

  a.take_delta();
  ASSERT_TRUE(a.leave(1, "lobby", "alice"));
  EXPECT_EQ(keys_of(b.merge(a.pending_delta()).leaves), keys{"alice"});
  EXPECT_EQ(b.clocks(), (version_vector{{ra, 2}, {rb, 1}}));

  ASSERT_TRUE(a.join(1, "lobby", "alice", {}));
  EXPECT_EQ(keys_of(b.merge(a.pending_delta()).joins), keys{"alice"});
  EXPECT_EQ(b.clocks(), (version_vector{{ra, 3}, {rb, 1}}));
  EXPECT_TRUE(b.context().clouds.empty());
}

TEST(replicated_state, the_pending_delta_spans_the_clocks_since_it_was_taken) {
  replicated_state a{ra};
  EXPECT_FALSE(a.has_delta());
  ASSERT_TRUE(a.join(1, "lobby", "alice", {}));
  ASSERT_TRUE(a.join(2, "lobby", "bob", {}));
  auto first = a.take_delta();
  EXPECT_EQ(first.start, (version_vector{{ra, 0}}));
  EXPECT_EQ(first.end, (version_vector{{ra, 2}}));
  EXPECT_FALSE(a.has_delta());
  ASSERT_TRUE(a.leave(1, "lobby", "alice"));
  EXPECT_TRUE(a.has_delta());
  const auto& second = a.pending_delta();
  EXPECT_EQ(second.start, (version_vector{{ra, 2}}));
  EXPECT_EQ(second.end, (version_vector{{ra, 3}}));
  EXPECT_EQ(second.clouds, (dot_clouds{{ra, {1, 3}}}));
  EXPECT_TRUE(second.values.empty());
}

TEST(replicated_state, a_join_then_leave_within_one_delta_leaves_no_value) {
  replicated_state a{ra};
  ASSERT_TRUE(a.join(1, "lobby", "alice", {}));
  ASSERT_TRUE(a.leave(1, "lobby", "alice"));
  EXPECT_TRUE(a.pending_delta().values.empty());
  EXPECT_EQ(a.pending_delta().clouds, (dot_clouds{{ra, {1, 2}}}));
}

TEST(replicated_state, extract_has_the_context_of_replicas_the_requester_knows) {
  replicated_state s1{ra}, s2{rb}, s3{rc};
  ASSERT_TRUE(s1.replica_up(rb));
  ASSERT_TRUE(s2.replica_up(ra));
  ASSERT_TRUE(s2.replica_up(rc));
  ASSERT_TRUE(s1.join(1, "lobby", "user1", {}));
  ASSERT_TRUE(s2.join(1, "lobby", "user2", {}));
  ASSERT_TRUE(s3.join(1, "lobby", "user3", {}));
  s1.merge(s2.pending_delta());
  s2.merge(s1.pending_delta());
  s2.merge(s3.pending_delta());
  auto extracted = s2.extract(ra, s1.clocks());
  EXPECT_EQ(extracted.context.contiguous, (version_vector{{ra, 1}, {rb, 1}}));
  ASSERT_EQ(extracted.values.size(), 1u); // user2; not s1's own, not s3's
  EXPECT_EQ(extracted.values.begin()->second.key, "user2");
}

TEST(replicated_state, values_of_unknown_replicas_are_ignored) {
  replicated_state a{ra}, b{rb}, c{rc};
  ASSERT_TRUE(b.replica_up(rc));
  ASSERT_TRUE(a.replica_up(rb));
  ASSERT_TRUE(c.join(1, "lobby", "ghost", {}));
  b.merge(c.pending_delta());
  // b passes c's presence on, but a does not know c.
  ASSERT_TRUE(b.replica_up(ra));
  auto state = b.extract(ra, version_vector{{ra, 0}, {rb, 0}, {rc, 0}});
  ASSERT_EQ(state.values.size(), 1u);
  EXPECT_TRUE(a.merge(state).empty());
  EXPECT_EQ(a.size(), 0u);
  EXPECT_FALSE(a.context().contiguous.contains(rc));
  EXPECT_TRUE(a.merge(c.pending_delta()).empty());
}

TEST(replicated_state, a_merge_never_removes_the_replicas_own_presences) {
  replicated_state a{ra}, b{rb};
  connect({&a, &b});
  ASSERT_TRUE(a.join(1, "lobby", "alice", {}));
  sync(a, b);
  // A state claiming to have seen a's dot without holding it.
  causal_state claim{{{{ra, 5}, {rb, 0}}, {}}, {}};
  EXPECT_TRUE(a.merge(claim).empty());
  EXPECT_EQ(listed_keys(a), keys{"alice"});
  EXPECT_EQ(clock_of(a.context().contiguous, ra), 1u);
}

TEST(replicated_state, a_removed_value_arriving_late_is_not_restored) {
  replicated_state a{ra}, b{rb};
  connect({&a, &b});
  ASSERT_TRUE(a.join(1, "lobby", "x", {}));
  a.take_delta(); // lost on the way to b
  ASSERT_TRUE(a.join(2, "lobby", "y", {}));
  auto with_y = a.take_delta();
  EXPECT_EQ(keys_of(b.merge(with_y).joins), keys{"y"});
  ASSERT_TRUE(a.leave(2, "lobby", "y"));
  EXPECT_EQ(keys_of(b.merge(a.take_delta()).leaves), keys{"y"});
  // A duplicate of the delta that brought y arrives late.
  EXPECT_TRUE(b.merge(with_y).empty());
  EXPECT_EQ(listed_keys(b), keys{});
  // The gap (x's join) is still open until a transfer fills it.
  EXPECT_EQ(clock_of(b.context().contiguous, ra), 0u);
  EXPECT_EQ(keys_of(sync(a, b).joins), keys{"x"});
  EXPECT_EQ(clock_of(b.context().contiguous, ra), 3u);
  EXPECT_FALSE(b.context().clouds.contains(ra));
}

TEST(replicated_state, changes_of_a_down_replica_are_reported_when_it_is_up) {
  replicated_state a{ra}, b{rb};
  connect({&a, &b});
  ASSERT_TRUE(a.replica_down(rb));
  ASSERT_TRUE(b.join(1, "lobby", "bob", {}));
  EXPECT_TRUE(a.merge(b.take_delta()).empty());
  EXPECT_EQ(listed_keys(a), keys{});
  EXPECT_EQ(keys_of(a.replica_up(rb)->joins), keys{"bob"});
  ASSERT_TRUE(a.replica_down(rb));
  ASSERT_TRUE(b.leave(1, "lobby", "bob"));
  EXPECT_TRUE(a.merge(b.take_delta()).empty());
  EXPECT_TRUE(a.replica_up(rb)->empty());
}

TEST(replicated_state, clocks_leave_out_down_replicas) {
  replicated_state a{ra};
  ASSERT_TRUE(a.replica_up(rb));
  ASSERT_TRUE(a.replica_up(rc));
  ASSERT_TRUE(a.replica_down(rb));
  EXPECT_EQ(a.clocks(), (version_vector{{ra, 0}, {rc, 0}}));
  EXPECT_TRUE(a.context().contiguous.contains(rb));
}

TEST(replicated_state, replica_operations_refuse_the_local_replica) {
  replicated_state a{ra};
  EXPECT_EQ(a.replica_up(ra).error(), errc::own_replica);
  EXPECT_EQ(a.replica_down(ra).error(), errc::own_replica);
  EXPECT_EQ(a.permdown(ra).error(), errc::own_replica);
  EXPECT_EQ(a.status_of(ra), replica_status::up);
}

TEST(replicated_state, unknown_replicas_going_down_or_away_change_nothing) {
  replicated_state a{ra};
  EXPECT_TRUE(a.replica_down(rb)->empty());
  EXPECT_TRUE(a.permdown(rb)->empty());
  EXPECT_FALSE(a.status_of(rb));
}

TEST(replicated_state, leave_owner_removes_every_presence_of_the_owner) {
  replicated_state a{ra};
  ASSERT_TRUE(a.join(7, "lobby", "k1", {}));
  ASSERT_TRUE(a.join(7, "other", "k2", {}));
  ASSERT_TRUE(a.join(8, "lobby", "k3", {}));
  auto diff = a.leave_owner(7);
  EXPECT_EQ(keys_of(diff.leaves), (keys{"k1", "k2"}));
  EXPECT_EQ(listed_keys(a), keys{"k3"});
  EXPECT_TRUE(a.leave_owner(7).empty());
  EXPECT_EQ(a.pending_delta().end, (version_vector{{ra, 5}}));
}

TEST(replicated_state, leave_join_replaces_the_meta_in_place) {
  replicated_state a{ra};
  ASSERT_TRUE(a.join(1, "lobby", "k", meta(1)));
  auto diff = a.leave_join(1, "lobby", "k", meta(2));
  ASSERT_TRUE(diff);
  EXPECT_EQ(diff->joins.at(0).meta, meta(2));
  EXPECT_EQ(diff->leaves.at(0).meta, meta(1));
  ASSERT_EQ(a.list("lobby").size(), 1u);
  EXPECT_EQ(*a.list("lobby")[0].meta, meta(2));
  EXPECT_EQ(*a.find_local(1, "lobby", "k"), meta(2));
  EXPECT_EQ(a.find_local(2, "lobby", "k"), nullptr);
}

} // namespace
} // namespace rt::presence
