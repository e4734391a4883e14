#pragma once

// The node's presence tracker: one replica of Phoenix.Tracker's CRDT
// (presence/tracker_core) behind an actor. Channels track, update and untrack
// their presences; a channel that ends (leave, crash, socket gone) is
// untracked through its monitor. Every change becomes presence_diff payloads
// published to the topic's local subscribers through the pubsub actor (encoded
// once per serializer). Replicas gossip Phoenix's way: each broadcast period a
// heartbeat carries the delta since the last one (or, after enough silent
// periods, nothing); every few periods a transfer is requested from the peers
// whose clocks cover what this replica misses; a replica silent past the down
// period is hidden (its presences leave), past the permdown period forgotten.

#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "rt/actors/node_rate.hpp"
#include "rt/presence/peer_watch.hpp"
#include "rt/presence/replica.hpp"

namespace rt::actors {

/// What the tracker is told at spawn.
struct tracker_options {
  /// This replica: the node's name and a version unique to this start.
  presence::replica_ref self;
  /// Broadcast, down and permdown periods.
  presence::gossip_settings gossip;
  /// Where presence_diff payloads are published.
  caf::actor pubsub;
  /// Counts the presence_diff deliveries, when set.
  std::shared_ptr<node_rate> presence_events;
};

/// Spawns the tracker. Messages: tracker_messages.hpp.
caf::actor spawn_tracker(caf::actor_system& sys, tracker_options options);

/// A replica identity for this start of `node`: the start time in
/// microseconds, unique per start of a process.
presence::replica_ref new_replica(std::string node);

} // namespace rt::actors
