#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

namespace rt::actors {

/// Spawns the node's pubsub actor. It owns the topic index and fans each
/// publish out to the subscribers' connections directly, encoding once per
/// serializer version (channel actors are not on this path). Messages:
/// `subscribe`, `unsubscribe`, `publish` (see messages.hpp), and
/// `stats_atom` -> `pubsub_stats`. A subscription ends by itself when its
/// channel actor terminates.
caf::actor spawn_pubsub(caf::actor_system& sys);

} // namespace rt::actors
