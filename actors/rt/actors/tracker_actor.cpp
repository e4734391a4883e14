#include "rt/actors/tracker_actor.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <unordered_set>

#include <caf/actor_clock.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "rt/actors/cluster_guard.hpp"
#include "rt/actors/cluster_messages.hpp"
#include "rt/actors/messages.hpp"
#include "rt/actors/tracker_messages.hpp"
#include "rt/actors/unexpected.hpp"
#include "rt/presence/wire_codec.hpp"
#include "rt/presence/wire_payload.hpp"
#include "rt/protocol/encode.hpp"
#include "rt/protocol/events.hpp"

namespace rt::actors {

namespace {

namespace wire = protocol::wire;
using presence::replica_ref;

struct tracker_state {
  tracker_options options;
  std::unique_ptr<presence::tracker_core> core;
  presence::peer_watch watch;
  // Trackers to send heartbeats to, and the actor of every replica heard.
  std::vector<caf::actor> peers;
  std::map<replica_ref, caf::actor> replica_actors;
  // Channel actors whose presences are tracked (monitored).
  std::unordered_set<std::uint64_t> owners;
  int silent_periods = 0;
  int ticks = 0;
  static inline const char* name = "rt.tracker";
};

using tracker_self = caf::stateful_actor<tracker_state>*;

std::uint64_t unix_ns() {
  auto since = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<std::uint64_t>(
    std::chrono::duration_cast<std::chrono::nanoseconds>(since).count());
}

// -- local changes ------------------------------------------------------------------

void publish_diff(tracker_self self, const presence::presence_diff& diff) {
  if (diff.empty())
    return;
  for (auto& p : presence::presence_diff_payloads(diff)) {
    pubsub::broadcast_message msg;
    auto scoped = pubsub::split_key(p.topic);
    msg.topic = std::string{scoped.topic};
    msg.scope = scoped.scope;
    msg.kind = pubsub::message_kind::presence;
    msg.event = std::string{wire::presence_diff};
    msg.payload_json = std::move(p.json);
    self->send(self->state.options.pubsub,
               publish{std::move(msg), std::nullopt, self->state.options.presence_events, true});
  }
}

void publish_result(tracker_self self, const presence::expected<presence::presence_diff>& r) {
  if (r)
    publish_diff(self, *r);
}

void push_state(tracker_self self, const channel_address& to) {
  auto listing = self->state.core->list(pubsub::scoped_key(to.scope, to.topic));
  to.sink->send(protocol::encode_push(to.version, to.join_ref, to.topic, wire::presence_state,
                                      presence::presence_state_json(listing)));
}

void watch_owner(tracker_self self, const caf::actor& channel) {
  if (self->state.owners.insert(channel.id()).second)
    self->monitor(channel);
}

void track(tracker_self self, presence_track& t) {
  auto& core = *self->state.core;
  auto owner = t.channel.actor.id();
  watch_owner(self, t.channel.actor);
  auto topic = pubsub::scoped_key(t.channel.scope, t.channel.topic);
  auto diff = core.find_local(owner, topic, t.key) != nullptr
                ? core.update(owner, topic, t.key, t.meta, unix_ns())
                : core.track(owner, topic, t.key, t.meta, unix_ns());
  publish_result(self, diff);
}

void untrack(tracker_self self, const presence_untrack& u) {
  publish_result(self, self->state.core->untrack(u.channel.id(), u.topic, u.key));
}

// -- gossip -------------------------------------------------------------------------

presence::peer_watch::time_point now(tracker_self self) {
  return self->clock().now();
}

void send_to_peers(tracker_self self, const caf::message& msg) {
  for (const auto& peer : self->state.peers)
    self->send(peer, msg);
}

void heartbeat(tracker_self self) {
  auto& st = self->state;
  auto delta = st.core->take_heartbeat_delta();
  if (!delta && ++st.silent_periods < st.options.gossip.max_silent_periods)
    return;
  st.silent_periods = 0;
  if (st.peers.empty())
    return;
  tracker_heartbeat hb{st.options.self, caf::actor{self}, delta.has_value(), {},
                       presence::encode_version_vector(st.core->clocks())};
  if (delta)
    hb.delta = presence::encode_delta(*delta);
  send_to_peers(self, caf::make_message(std::move(hb)));
}

void request_transfers(tracker_self self) {
  auto& st = self->state;
  for (const auto& r : st.watch.transfer_targets(st.options.self, st.core->clocks())) {
    auto it = st.replica_actors.find(r);
    if (it != st.replica_actors.end())
      self->send(it->second,
                 tracker_transfer_request{st.options.self, caf::actor{self},
                                          presence::encode_version_vector(st.core->clocks())});
  }
}

void forget(tracker_self self, const replica_ref& r) {
  auto& st = self->state;
  publish_result(self, st.core->permdown(r));
  st.watch.forget(r);
  st.replica_actors.erase(r);
}

void expire(tracker_self self) {
  auto& st = self->state;
  auto e = st.watch.expire(now(self), st.options.gossip);
  for (const auto& r : e.down) {
    spdlog::warn("presence: replica {}/{} is silent: its presences are hidden", r.node, r.vsn);
    publish_result(self, st.core->replica_down(r));
  }
  for (const auto& r : e.permdown)
    forget(self, r);
}

void tick(tracker_self self) {
  auto& st = self->state;
  heartbeat(self);
  if (++st.ticks % st.options.gossip.clock_sample_periods == 0)
    request_transfers(self);
  expire(self);
  self->delayed_send(self, st.options.gossip.broadcast_period, tracker_tick_atom::value);
}

void heard(tracker_self self, const replica_ref& from, const caf::actor& sender,
           const presence::version_vector& clocks) {
  auto& st = self->state;
  auto h = st.watch.heard(from, clocks, now(self));
  if (h.replaced)
    forget(self, *h.replaced);
  st.replica_actors[from] = sender;
  if (h.came_up)
    publish_result(self, st.core->replica_up(from));
}

void reject(const replica_ref& from, std::string_view what) {
  spdlog::warn("presence: malformed {} from replica {}/{} dropped", what, from.node, from.vsn);
}

void on_heartbeat(tracker_self self, const tracker_heartbeat& hb) {
  auto clocks = presence::decode_version_vector(hb.clocks);
  auto delta = hb.has_delta ? presence::decode_delta(hb.delta)
                            : presence::expected<presence::delta>{};
  if (!clocks || !delta)
    return reject(hb.from, "heartbeat");
  heard(self, hb.from, hb.sender, *clocks);
  if (hb.has_delta)
    publish_diff(self, self->state.core->merge_heartbeat(*delta));
}

void on_transfer_request(tracker_self self, const tracker_transfer_request& req) {
  auto& st = self->state;
  auto clocks = presence::decode_version_vector(req.clocks);
  if (!clocks)
    return reject(req.from, "transfer request");
  auto answer = st.core->answer_transfer(req.from, *clocks);
  self->send(req.sender,
             tracker_transfer_answer{st.options.self, presence::encode_transfer(answer)});
}

void on_transfer_answer(tracker_self self, const tracker_transfer_answer& a) {
  auto payload = presence::decode_transfer(a.payload);
  if (!payload)
    return reject(a.from, "transfer");
  publish_diff(self, self->state.core->merge_transfer(*payload));
}

// A new peer hears from this replica at once (an empty heartbeat with its
// clocks) rather than after the silent periods, so it can ask for a transfer
// at its next clock sample.
void add_peer(tracker_self self, const caf::actor& peer) {
  auto& st = self->state;
  if (!peer || std::find(st.peers.begin(), st.peers.end(), peer) != st.peers.end())
    return;
  st.peers.push_back(peer);
  self->send(peer, tracker_heartbeat{st.options.self, caf::actor{self}, false, {},
                                     presence::encode_version_vector(st.core->clocks())});
}

// A peer that left stops receiving heartbeats; its replica is forgotten only
// through silence (down, then permdown) or its goodbye, as in Phoenix.
void remove_peer(tracker_self self, const caf::actor& peer) {
  std::erase(self->state.peers, peer);
}

caf::behavior tracker_behavior(tracker_self self, tracker_options options) {
  auto& st = self->state;
  st.options = std::move(options);
  st.core = std::make_unique<presence::tracker_core>(st.options.self);
  self->set_default_handler(drop_unexpected);
  ignore_remote_exits(self);
  self->set_down_handler([self](caf::down_msg& dm) {
    self->state.owners.erase(dm.source.id());
    publish_diff(self, self->state.core->untrack_owner(dm.source.id()));
  });
  self->delayed_send(self, st.options.gossip.broadcast_period, tracker_tick_atom::value);
  return {
    [self](presence_track& t) { track(self, t); },
    [self](const presence_untrack& u) { untrack(self, u); },
    [self](const presence_sync& s) { push_state(self, s.channel); },
    [self](tracker_tick_atom) { tick(self); },
    [self](const cluster_peer& p) { p.up ? add_peer(self, p.peer) : remove_peer(self, p.peer); },
    [self](const tracker_heartbeat& hb) {
      if (from_cluster(self, self->state.peers))
        on_heartbeat(self, hb);
    },
    [self](const tracker_transfer_request& r) {
      if (from_cluster(self, self->state.peers))
        on_transfer_request(self, r);
    },
    [self](const tracker_transfer_answer& a) {
      if (from_cluster(self, self->state.peers))
        on_transfer_answer(self, a);
    },
    [self](const tracker_goodbye& g) {
      if (from_cluster(self, self->state.peers))
        forget(self, g.from);
    },
    [self](tracker_leave_atom) {
      send_to_peers(self, caf::make_message(tracker_goodbye{self->state.options.self}));
    },
  };
}

} // namespace

caf::actor spawn_tracker(caf::actor_system& sys, tracker_options options) {
  return sys.spawn(tracker_behavior, std::move(options));
}

presence::replica_ref new_replica(std::string node) {
  auto since = std::chrono::system_clock::now().time_since_epoch();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(since).count();
  return {std::move(node), static_cast<std::uint64_t>(us)};
}

} // namespace rt::actors
