#pragma once

// Messages exchanged by the socket, channel and pubsub actors of one node.
// They carry shared buffers and sinks, so they are local-only types.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "rt/actors/node_rate.hpp"
#include "rt/channel.hpp"
#include "rt/connection_sink.hpp"
#include "rt/protocol/message.hpp"
#include "rt/pubsub/broadcast.hpp"

namespace rt::actors {

// -- tags -----------------------------------------------------------------------

/// transport -> socket: the connection is gone.
using closed_atom = caf::atom_constant<caf::atom("closed")>;
/// socket -> channel: run the handler's join; channel -> socket: its answer
/// (join_atom, join_result), at once or when a deferred join completes.
using join_atom = caf::atom_constant<caf::atom("join")>;
/// socket itself: a delayed join error is due.
using join_err_atom = caf::atom_constant<caf::atom("join_err")>;
/// pubsub -> channel: the join reply is queued (the handler asked for after_join).
using joined_atom = caf::atom_constant<caf::atom("joined")>;
/// channel itself: a handler timer fired.
using timer_atom = caf::atom_constant<caf::atom("timer")>;
/// anyone -> pubsub: report counts (request; replies pubsub_stats).
using stats_atom = caf::atom_constant<caf::atom("stats")>;

// -- transport -> socket --------------------------------------------------------

/// One decoded client frame, or why it could not be decoded.
struct inbound {
  std::variant<protocol::message, protocol::decode_failure> content;
};

// -- socket -> channel ----------------------------------------------------------

/// A client event routed to a joined channel (never join, leave or heartbeat).
struct channel_event {
  protocol::message msg;
};

// -- pubsub ----------------------------------------------------------------------

/// Adds a subscription; `first_frames` go to the sink before any broadcast
/// delivered through it (the join reply, so it precedes every broadcast).
struct subscribe {
  std::string topic;
  /// The namespace of `topic`.
  pubsub::topic_scope scope = pubsub::topic_scope::public_topic;
  /// What the subscriber may receive.
  pubsub::read_grants grants = {};
  /// Stored messages the subscriber has had (not delivered again).
  std::shared_ptr<const pubsub::message_ids> known_ids = nullptr;
  pubsub::subscriber_id id = 0;
  protocol::vsn version = protocol::vsn::v2;
  std::shared_ptr<connection_sink> sink;
  /// Channel actor behind the subscription; its death removes it.
  caf::actor channel;
  std::vector<protocol::shared_frame> first_frames;
  /// Tell `channel` (joined_atom) once `first_frames` are queued.
  bool notify_joined = false;
};

/// Removes a subscription; `final_frames` go to the sink after the last
/// broadcast delivered through it (leave reply, phx_close or phx_error).
struct unsubscribe {
  pubsub::subscriber_id id = 0;
  std::shared_ptr<connection_sink> sink;
  std::vector<protocol::shared_frame> final_frames;
};

/// Changes what subscription `id` may receive (a private channel's read
/// permissions, asked again for a new token).
struct regrant {
  pubsub::subscriber_id id = 0;
  pubsub::read_grants grants;
};

/// Fans `msg` out to its topic's subscribers except `exclude`, on every node
/// of the cluster (one message per other node).
struct publish {
  pubsub::broadcast_message msg;
  std::optional<pubsub::subscriber_id> exclude;
  /// When set, the number of subscribers reached is added to it.
  std::shared_ptr<node_rate> count_deliveries;
  /// Subscribers of this node only (presence_diff: every node computes its
  /// own from its replica); otherwise every node of the cluster.
  bool local_only = false;
};

/// Counts reported by the pubsub actor.
struct pubsub_stats {
  std::size_t topics = 0;
  std::size_t subscribers = 0;
  std::uint64_t deliveries = 0;
};

} // namespace rt::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::inbound)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::channel_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::subscribe)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::unsubscribe)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::publish)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::regrant)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::pubsub_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::join_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::join_result)
