#pragma once

// Cluster membership: one actor per node, published on the cluster port.
// A node dials its seeds, says hello (its card: name, address, node-wide
// actors) and hears the others' cards in return; every member learned is
// announced to the members already known, and each node dials every member
// it hears of, so the nodes end up fully connected. A member is watched with
// a monitor: its death (or, with heartbeats, its silence) is a down message,
// and a restarted node is a new member (a new CAF node id). Every member
// joining or leaving is told to the node's pubsub, tracker and replication
// actors (cluster_peer). Seeds, and members lost for up to `forget_after`,
// are dialed again every `redial_period`, which also heals a netsplit.

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "rt/actors/cluster_messages.hpp"
#include "rt/endpoint_config.hpp"

namespace rt::actors {

/// What the membership actor is told at spawn.
struct membership_options {
  /// This node; the actor puts its own handle into `membership`.
  member_card card;
  /// Where to join the cluster (this node's own address may be among them).
  std::vector<cluster_address> seeds;
  /// The cluster secret (empty: none is asked).
  std::string secret;
  /// Dial through TLS (caf::openssl) rather than plain BASP.
  bool tls = false;
  std::chrono::milliseconds redial_period{1000};
  /// How long a lost member's address is dialed again.
  std::chrono::milliseconds forget_after{1'200'000};
  /// The number of other members, kept up to date (for /metrics).
  std::shared_ptr<std::atomic<std::size_t>> member_count =
    std::make_shared<std::atomic<std::size_t>>(0);
};

/// Spawns the membership actor. Publishing it on the cluster port is the
/// caller's (see server/rt/cluster.hpp). Requests: members_atom -> the other
/// members' names, sorted.
caf::actor spawn_membership(caf::actor_system& sys, membership_options options);

} // namespace rt::actors
