#include "rt/actors/pubsub_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "rt/actors/cluster_guard.hpp"
#include "rt/actors/cluster_messages.hpp"
#include "rt/actors/messages.hpp"
#include "rt/actors/remote_publish.hpp"
#include "rt/actors/unexpected.hpp"
#include "rt/pubsub/topic_registry.hpp"

namespace rt::actors {

namespace {

struct subscriber {
  pubsub::subscriber_id id;
  protocol::vsn version;
  pubsub::read_grants grants;
  std::shared_ptr<const pubsub::message_ids> known;
  std::shared_ptr<connection_sink> sink;
};

struct pubsub_state {
  pubsub::topic_registry<subscriber> registry;
  std::uint64_t deliveries = 0;
  // The pubsub actors of the other nodes: each local publish is sent to each
  // of them once (they fan it out to their own subscribers).
  std::vector<caf::actor> peers;
  static inline const char* name = "rt.pubsub";
};

using pubsub_self = caf::stateful_actor<pubsub_state>*;

void send_all(connection_sink& sink, const std::vector<protocol::shared_frame>& frames) {
  for (auto& f : frames)
    sink.send(f);
}

std::size_t fan_out(pubsub_self self, const pubsub::broadcast_message& msg,
                    std::optional<pubsub::subscriber_id> exclude) {
  auto reached = pubsub::dispatch(
    self->state.registry, msg, exclude,
    [](const subscriber& s, const protocol::shared_frame& f) { s.sink->send(f); });
  self->state.deliveries += reached;
  return reached;
}

// One message per other node, built once and shared by every send;
// sent before the local fan-out so the other nodes work meanwhile. Sends to
// one node keep their order, so each publisher's order holds everywhere.
void forward(pubsub_self self, const pubsub::broadcast_message& msg) {
  auto& peers = self->state.peers;
  if (peers.empty())
    return;
  auto wire = caf::make_message(to_remote(msg));
  for (const auto& peer : peers)
    self->send(peer, wire);
}

void set_peer(pubsub_self self, const cluster_peer& p) {
  auto& peers = self->state.peers;
  std::erase(peers, p.peer);
  if (p.up && p.peer)
    peers.push_back(p.peer);
}

caf::behavior pubsub_behavior(pubsub_self self) {
  self->set_default_handler(drop_unexpected);
  ignore_remote_exits(self);
  self->set_down_handler([self](caf::down_msg& dm) {
    self->state.registry.unsubscribe(dm.source.id());
  });
  return {
    [self](subscribe& s) {
      send_all(*s.sink, s.first_frames);
      self->state.registry.subscribe(pubsub::scoped_key(s.scope, s.topic),
                                     subscriber{s.id, s.version, s.grants, s.known_ids, s.sink});
      self->monitor(s.channel);
      if (s.notify_joined)
        self->send(s.channel, joined_atom::value);
    },
    [self](unsubscribe& u) {
      self->state.registry.unsubscribe(u.id);
      send_all(*u.sink, u.final_frames);
    },
    [self](regrant& r) {
      if (auto* entry = self->state.registry.entry(r.id))
        entry->grants = r.grants;
    },
    [self](publish& p) {
      if (!p.local_only)
        forward(self, p.msg);
      auto reached = fan_out(self, p.msg, p.exclude);
      if (p.count_deliveries && reached > 0)
        p.count_deliveries->add(reached);
    },
    [self](remote_publish& r) {
      if (!from_cluster(self, self->state.peers))
        return;
      if (auto msg = from_remote(std::move(r)))
        fan_out(self, *msg, std::nullopt);
    },
    [self](const cluster_peer& p) { set_peer(self, p); },
    [self](stats_atom) {
      auto& st = self->state;
      return pubsub_stats{st.registry.topic_count(), st.registry.subscriber_count(),
                          st.deliveries};
    },
  };
}

} // namespace

caf::actor spawn_pubsub(caf::actor_system& sys) {
  return sys.spawn(pubsub_behavior);
}

} // namespace rt::actors
