#pragma once

// Messages of the presence tracker: channels track and untrack their
// presences and ask for their topic's presence_state. Local-only types (they
// carry sinks). The gossip between trackers crosses nodes: see
// cluster_messages.hpp.

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

} // namespace rt::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::presence_track)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::presence_untrack)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::presence_sync)
