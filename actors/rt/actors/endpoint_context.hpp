#pragma once

#include <atomic>
#include <mutex>
#include <string_view>
#include <vector>

#include <caf/actor.hpp>

#include "rt/actors/node_rate.hpp"
#include "rt/actors/replication_slot.hpp"
#include "rt/channel.hpp"
#include "rt/endpoint_config.hpp"
#include "rt/protocol/jwt.hpp"
#include "rt/pubsub/rate_window.hpp"

namespace rt::actors {

/// Node-wide joins-per-second admission, shared by all sockets.
class join_limiter {
public:
  explicit join_limiter(std::size_t per_second);

  /// Admits one join now unless the last second already had the maximum.
  bool try_join();

  /// True while the limit is reached (new connections are refused with 429).
  bool saturated();

private:
  std::mutex mutex_;
  pubsub::rate_window window_;
  std::size_t per_second_;
};

/// What every actor of one endpoint shares. Immutable after start except the
/// explicitly thread-safe members.
struct endpoint_context {
  explicit endpoint_context(endpoint_config cfg);

  endpoint_config config;
  protocol::jwt_settings jwt;
  caf::actor pubsub;
  /// The channels' timers (timer_service.hpp).
  caf::actor timers;
  /// The replication_slot actor; invalid when Postgres changes are off.
  caf::actor changes;
  /// Keeps the `realtime` schema current; invalid when that is off.
  caf::actor schema;
  /// Database broadcast (message_stream.hpp); invalid when that is off.
  caf::actor messages;
  /// The node's presence tracker (tracker_actor.hpp).
  caf::actor tracker;
  /// Cluster membership (membership.hpp); invalid when not clustered.
  caf::actor membership;
  /// The other nodes of the cluster, as membership counts them.
  std::shared_ptr<std::atomic<std::size_t>> cluster_members =
    std::make_shared<std::atomic<std::size_t>>(0);
  /// Private channels' permission checkers (authorizer.hpp), used in turn.
  std::vector<caf::actor> authorizers;
  /// Presence events on this node (TENANT_MAX_PRESENCE_EVENTS_PER_SECOND).
  std::shared_ptr<node_rate> presence_events = std::make_shared<node_rate>();
  /// Broadcast events of the REST endpoints on this node, their deliveries
  /// included (TENANT_MAX_EVENTS_PER_SECOND).
  std::shared_ptr<node_rate> broadcast_events = std::make_shared<node_rate>();
  /// The replication stream's figures (for /metrics).
  std::shared_ptr<replication_metrics> changes_metrics = std::make_shared<replication_metrics>();
  std::vector<channel_route> routes;
  mutable join_limiter joins;
  /// Open client connections on this node.
  mutable std::atomic<std::size_t> connections{0};
  /// Set when the endpoint is shutting down: new joins are refused.
  mutable std::atomic<bool> stopping{false};

  /// The route serving `topic`, or nullptr.
  const channel_route* route_for(std::string_view topic) const;

  /// The next authorizer in turn; invalid when there are none.
  caf::actor next_authorizer() const;

private:
  mutable std::atomic<std::size_t> authorizer_turn_{0};
};

} // namespace rt::actors
