#define CAF_SUITE tracker_actor

#include "rt/actors/tracker_actor.hpp"

#include <caf/test/dsl.hpp>

#include <deque>

#include <boost/json.hpp>

#include "rt/actors/cluster_messages.hpp"
#include "rt/actors/messages.hpp"
#include "rt/actors/pubsub_actor.hpp"
#include "rt/actors/recording_sink.test.hpp"
#include "rt/actors/tracker_messages.hpp"
#include "rt/presence/wire_codec.hpp"

using namespace std::chrono_literals;
using rt::actors::testing::recording_sink;
namespace json = boost::json;

namespace {

const std::string topic = "realtime:room";

caf::behavior idle_channel() {
  return {[](caf::unit_t) {}};
}

// One node: a pubsub actor, its tracker, and a subscriber of `topic` that
// records the presence_diff broadcasts.
struct node {
  rt::presence::replica_ref replica;
  caf::actor pubsub;
  caf::actor tracker;
  std::shared_ptr<recording_sink> watcher = std::make_shared<recording_sink>();
  caf::actor watcher_channel;
};

// Payloads of the recorded frames with `event` (v2 arrays).
std::vector<json::object> payloads(recording_sink& sink, std::string_view event) {
  std::vector<json::object> out;
  for (const auto& f : sink.take()) {
    auto v = json::parse(f).as_array();
    if (v.at(3).as_string() == event)
      out.push_back(v.at(4).as_object());
  }
  return out;
}

std::vector<std::string> keys(const json::value& v) {
  std::vector<std::string> out;
  for (const auto& kv : v.as_object())
    out.emplace_back(kv.key());
  return out;
}

using strings = std::vector<std::string>;

struct fixture : test_coordinator_fixture<> {
  rt::presence::gossip_settings gossip;
  std::deque<node> nodes; // stable references
  std::vector<caf::actor> channels;

  node& add_node(std::string name) {
    node n;
    n.replica = rt::actors::new_replica(std::move(name));
    n.pubsub = rt::actors::spawn_pubsub(sys);
    n.tracker = rt::actors::spawn_tracker(sys, {n.replica, gossip, n.pubsub, nullptr});
    n.watcher_channel = sys.spawn(idle_channel);
    caf::anon_send(n.pubsub, rt::actors::subscribe{topic, {}, {}, nullptr, 1000 + nodes.size(),
                                                   rt::protocol::vsn::v2, n.watcher,
                                                   n.watcher_channel, {}, false});
    sched.run();
    nodes.push_back(std::move(n));
    return nodes.back();
  }

  ~fixture() override {
    for (auto& n : nodes)
      for (const auto& a : {n.pubsub, n.tracker, n.watcher_channel})
        caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    for (auto& c : channels)
      caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
    sched.run();
  }

  void peer(const node& a, const node& b) {
    caf::anon_send(a.tracker, rt::actors::cluster_peer{b.tracker});
    caf::anon_send(b.tracker, rt::actors::cluster_peer{a.tracker});
    sched.run();
  }

  struct joined {
    caf::actor channel;
    std::shared_ptr<recording_sink> sink;
  };

  joined track(const node& n, std::string key, json::object meta, bool sync = false) {
    joined j{sys.spawn(idle_channel), std::make_shared<recording_sink>()};
    channels.push_back(j.channel);
    rt::channel_address at{j.channel, j.sink, rt::protocol::vsn::v2, topic, rt::protocol::ref_value::from_string("1")};
    caf::anon_send(n.tracker, rt::actors::presence_track{at, std::move(key), std::move(meta)});
    if (sync)
      caf::anon_send(n.tracker, rt::actors::presence_sync{at});
    sched.run();
    return j;
  }

  json::object state_seen_by(const node& n) {
    auto sink = std::make_shared<recording_sink>();
    auto ch = sys.spawn(idle_channel);
    channels.push_back(ch);
    caf::anon_send(n.tracker,
                   rt::actors::presence_sync{{ch, sink, rt::protocol::vsn::v2, topic, rt::protocol::ref_value::from_string("9")}});
    sched.run();
    auto states = payloads(*sink, "presence_state");
    CAF_REQUIRE_EQUAL(states.size(), 1u);
    return states.front();
  }

  // Nodes a and b, peered, with alice tracked on a and known to b.
  std::pair<node&, node&> alice_on_a_known_to_b() {
    auto& a = add_node("a");
    auto& b = add_node("b");
    peer(a, b);
    track(a, "alice", {});
    pass(gossip.broadcast_period);
    b.watcher->take();
    return {a, b};
  }

  // a's tracker stops: its heartbeats no longer reach anyone.
  void silence(node& a) {
    caf::anon_send_exit(a.tracker, caf::exit_reason::user_shutdown);
    sched.run();
  }

  // `to` hears an empty heartbeat of `from`'s replica.
  void heartbeat_of(const node& from, const node& to) {
    auto stand_in = sys.spawn(idle_channel);
    channels.push_back(stand_in);
    // Sent by an actor of this process: trackers ignore anonymous gossip.
    self->send(to.tracker,
               rt::actors::tracker_heartbeat{from.replica, stand_in, false, {}, rt::presence::encode_version_vector({})});
    sched.run();
  }

  // Lets `d` of gossip time pass, one broadcast period at a time.
  void pass(std::chrono::milliseconds d) {
    for (auto t = 0ms; t < d; t += gossip.broadcast_period) {
      sched.advance_time(gossip.broadcast_period);
      sched.run();
    }
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(tracker_actor_tests, fixture)

CAF_TEST(a track fans out a join and a synced channel gets the topic state) {
  auto& a = add_node("a");
  track(a, "alice", {{"status", "online"}});
  auto j = track(a, "bob", {}, true);
  auto diffs = payloads(*a.watcher, "presence_diff");
  CAF_REQUIRE_EQUAL(diffs.size(), 2u);
  CAF_CHECK_EQUAL(keys(diffs[0].at("joins")), strings{"alice"});
  CAF_CHECK(diffs[0].at("leaves").as_object().empty());
  auto meta = diffs[0].at("joins").at("alice").at("metas").at(0).as_object();
  CAF_CHECK_EQUAL(meta.at("status").as_string(), "online");
  CAF_CHECK(meta.at("phx_ref").is_string());
  auto states = payloads(*j.sink, "presence_state");
  CAF_REQUIRE_EQUAL(states.size(), 1u);
  CAF_CHECK_EQUAL(keys(states[0]), (strings{"alice", "bob"}));
}

CAF_TEST(a re-track is an update: the new meta joins and the old one leaves) {
  auto& a = add_node("a");
  auto j = track(a, "alice", {{"n", 1}});
  a.watcher->take();
  caf::anon_send(a.tracker, rt::actors::presence_track{{j.channel, j.sink, rt::protocol::vsn::v2,
                                                        topic, rt::protocol::ref_value::from_string("1")},
                                                       "alice",
                                                       {{"n", 2}}});
  sched.run();
  auto diffs = payloads(*a.watcher, "presence_diff");
  CAF_REQUIRE_EQUAL(diffs.size(), 1u);
  auto joined_meta = diffs[0].at("joins").at("alice").at("metas").at(0).as_object();
  auto left_meta = diffs[0].at("leaves").at("alice").at("metas").at(0).as_object();
  CAF_CHECK_EQUAL(joined_meta.at("n").as_int64(), 2);
  CAF_CHECK_EQUAL(left_meta.at("n").as_int64(), 1);
  CAF_CHECK_EQUAL(joined_meta.at("phx_ref_prev"), left_meta.at("phx_ref"));
  CAF_CHECK_EQUAL(state_seen_by(a).at("alice").at("metas").as_array().size(), 1u);
}

CAF_TEST(an untrack and a channel that ends both leave) {
  auto& a = add_node("a");
  auto alice = track(a, "alice", {});
  track(a, "bob", {});
  a.watcher->take();
  caf::anon_send(a.tracker, rt::actors::presence_untrack{alice.channel, topic, "alice"});
  sched.run();
  auto diffs = payloads(*a.watcher, "presence_diff");
  CAF_REQUIRE_EQUAL(diffs.size(), 1u);
  CAF_CHECK_EQUAL(keys(diffs[0].at("leaves")), strings{"alice"});
  caf::anon_send_exit(channels[1], caf::exit_reason::user_shutdown);
  sched.run();
  diffs = payloads(*a.watcher, "presence_diff");
  CAF_REQUIRE_EQUAL(diffs.size(), 1u);
  CAF_CHECK_EQUAL(keys(diffs[0].at("leaves")), strings{"bob"});
  CAF_CHECK(state_seen_by(a).empty());
}

CAF_TEST(a heartbeat carries a track to the peer within one broadcast period) {
  auto& a = add_node("a");
  auto& b = add_node("b");
  peer(a, b);
  track(a, "alice", {{"x", 1}});
  CAF_CHECK(payloads(*b.watcher, "presence_diff").empty());
  pass(gossip.broadcast_period);
  auto diffs = payloads(*b.watcher, "presence_diff");
  CAF_REQUIRE_EQUAL(diffs.size(), 1u);
  CAF_CHECK_EQUAL(keys(diffs[0].at("joins")), strings{"alice"});
  CAF_CHECK_EQUAL(keys(state_seen_by(b)), strings{"alice"});
  caf::anon_send_exit(channels[0], caf::exit_reason::user_shutdown);
  sched.run();
  pass(gossip.broadcast_period);
  diffs = payloads(*b.watcher, "presence_diff");
  CAF_REQUIRE_EQUAL(diffs.size(), 1u);
  CAF_CHECK_EQUAL(keys(diffs[0].at("leaves")), strings{"alice"});
}

CAF_TEST(a late peer gets what it missed by transfer) {
  auto [a, b] = alice_on_a_known_to_b();
  auto& c = add_node("c");
  peer(a, c);
  peer(b, c);
  pass(gossip.broadcast_period * gossip.clock_sample_periods * 2);
  CAF_CHECK_EQUAL(keys(state_seen_by(c)), strings{"alice"});
  auto diffs = payloads(*c.watcher, "presence_diff");
  CAF_REQUIRE_EQUAL(diffs.size(), 1u);
  CAF_CHECK_EQUAL(keys(diffs[0].at("joins")), strings{"alice"});
}

CAF_TEST(a silent replica is hidden after the down period and back when heard) {
  gossip.max_silent_periods = 2;
  auto [a, b] = alice_on_a_known_to_b();
  silence(a);
  pass(gossip.down_period + gossip.broadcast_period);
  auto diffs = payloads(*b.watcher, "presence_diff");
  CAF_REQUIRE_EQUAL(diffs.size(), 1u);
  CAF_CHECK_EQUAL(keys(diffs[0].at("leaves")), strings{"alice"});
  CAF_CHECK(state_seen_by(b).empty());
  // Heard again before the permdown period: its presences are back.
  heartbeat_of(a, b);
  diffs = payloads(*b.watcher, "presence_diff");
  CAF_REQUIRE_EQUAL(diffs.size(), 1u);
  CAF_CHECK_EQUAL(keys(diffs[0].at("joins")), strings{"alice"});
  CAF_CHECK_EQUAL(keys(state_seen_by(b)), strings{"alice"});
}

CAF_TEST(a silent replica is forgotten after the permdown period) {
  gossip.max_silent_periods = 2;
  gossip.permdown_period = gossip.down_period * 2;
  auto [a, b] = alice_on_a_known_to_b();
  silence(a);
  pass(gossip.permdown_period + gossip.broadcast_period);
  b.watcher->take();
  // Heard again after permdown: a stranger with nothing b remembers.
  heartbeat_of(a, b);
  CAF_CHECK(payloads(*b.watcher, "presence_diff").empty());
  CAF_CHECK(state_seen_by(b).empty());
}

CAF_TEST(a leaving tracker is forgotten by its peers at once) {
  auto [a, b] = alice_on_a_known_to_b();
  caf::anon_send(a.tracker, rt::actors::tracker_leave_atom::value);
  sched.run();
  auto diffs = payloads(*b.watcher, "presence_diff");
  CAF_REQUIRE_EQUAL(diffs.size(), 1u);
  CAF_CHECK_EQUAL(keys(diffs[0].at("leaves")), strings{"alice"});
}

CAF_TEST(a restarted node replaces its earlier replica) {
  auto [a, b] = alice_on_a_known_to_b();
  silence(a);
  // "a" again, a new start: same node name, a later version.
  auto again = rt::actors::spawn_tracker(
    sys, {rt::presence::replica_ref{"a", rt::actors::new_replica("a").vsn + 1}, gossip, a.pubsub, nullptr});
  a.tracker = again;
  peer(a, b);
  track(a, "carol", {});
  pass(gossip.broadcast_period);
  auto diffs = payloads(*b.watcher, "presence_diff");
  strings left, joined;
  for (auto& d : diffs) {
    for (auto& k : keys(d.at("leaves")))
      left.push_back(k);
    for (auto& k : keys(d.at("joins")))
      joined.push_back(k);
  }
  CAF_CHECK_EQUAL(left, strings{"alice"});
  CAF_CHECK_EQUAL(joined, strings{"carol"});
  CAF_CHECK_EQUAL(keys(state_seen_by(b)), strings{"carol"});
}

CAF_TEST_FIXTURE_SCOPE_END()
