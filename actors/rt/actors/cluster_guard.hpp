#pragma once

// Any host that reaches the cluster port can open a CAF connection and send
// messages to the actors other nodes know (unless TLS keeps it out). The
// node-wide actors therefore take cluster messages only from this process or
// from admitted members, and end only on exit messages from this process.

#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

namespace rt::actors {

/// Whether the message `self` handles was sent by an actor of this process or
/// of the node of one of `peers` (an anonymous message is neither).
bool from_cluster(caf::scheduled_actor* self, const std::vector<caf::actor>& peers);

/// Makes `self` leave exit messages from other nodes' actors (a link a
/// remote node asked for) unanswered; those of this process end it as usual.
void ignore_remote_exits(caf::scheduled_actor* self);

} // namespace rt::actors
