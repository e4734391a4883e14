#pragma once

#include <optional>

#include "rt/actors/cluster_messages.hpp"
#include "rt/pubsub/broadcast.hpp"

namespace rt::actors {

/// `msg` as it crosses to another node.
remote_publish to_remote(const pubsub::broadcast_message& msg);

/// The broadcast another node sent; nullopt when a field is out of range
/// (then it is logged and dropped).
std::optional<pubsub::broadcast_message> from_remote(remote_publish&& r);

} // namespace rt::actors
