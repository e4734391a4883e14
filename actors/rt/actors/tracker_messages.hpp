#pragma once

// Messages of the presence tracker: channels track and untrack their
// presences and ask for their topic's presence_state; trackers gossip
// heartbeats (with the delta since the last one), transfer requests and
// answers, and graceful goodbyes. Local-only types for now (they carry
// sinks and CRDT state).

#include <optional>
#include <string>

#include <boost/json/object.hpp>
#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include "rt/channel.hpp"
#include "rt/presence/tracker_core.hpp"

namespace rt::actors {

/// tracker itself: a broadcast period passed.
using tracker_tick_atom = caf::atom_constant<caf::atom("trk_tick")>;
/// anyone -> tracker: leave the cluster now (peers forget this replica).
using tracker_leave_atom = caf::atom_constant<caf::atom("trk_leave")>;

/// channel -> tracker: track the channel's presence under `key` with `meta`
/// (an update when it is tracked already).
struct presence_track {
  channel_address channel;
  std::string key;
  boost::json::object meta;
};

/// channel -> tracker: stop tracking the channel's presence under `key`.
struct presence_untrack {
  caf::actor channel;
  /// The channel's topic in its scope (pubsub::scoped_key).
  std::string topic;
  std::string key;
};

/// channel -> tracker: push presence_state of the channel's topic to it.
struct presence_sync {
  channel_address channel;
};

/// anyone -> tracker: gossip with `peer` (another node's tracker).
struct tracker_peer {
  caf::actor peer;
};

/// tracker -> tracker: what changed since the last heartbeat (nothing when
/// `delta` is empty: a periodic sign of life) and the sender's clocks.
struct tracker_heartbeat {
  presence::replica_ref from;
  caf::actor sender;
  std::optional<presence::delta> delta;
  presence::version_vector clocks;
};

/// tracker -> tracker: send me what I miss; these are my clocks.
struct tracker_transfer_request {
  presence::replica_ref from;
  caf::actor sender;
  presence::version_vector clocks;
};

/// tracker -> tracker: the answer to a transfer request.
struct tracker_transfer_answer {
  presence::replica_ref from;
  presence::transfer_payload payload;
};

/// tracker -> tracker: the sender is leaving for good (forget it now).
struct tracker_goodbye {
  presence::replica_ref from;
};

} // namespace rt::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::presence_track)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::presence_untrack)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::presence_sync)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::tracker_peer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::tracker_heartbeat)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::tracker_transfer_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::tracker_transfer_answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::tracker_goodbye)
