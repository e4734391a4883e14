#pragma once

// One client connection's protocol, as Phoenix.Socket runs it:
//   - heartbeat on topic "phoenix" is answered at once;
//   - phx_join starts a channel actor and waits for its join while later
//     frames of this connection queue up (joins complete in order);
//   - a duplicate join closes the old join: new reply first, then phx_close
//     for the old join_ref;
//   - phx_leave -> ok reply, then phx_close; leave of an unknown topic -> ok;
//   - other events go to the topic's channel whatever join_ref they carry
//     (Supabase's lenient fork), or get "unmatched topic";
//   - a channel that ends normally yields phx_close, a crash phx_error.

#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "rt/actors/endpoint_context.hpp"
#include "rt/channel.hpp"
#include "rt/connection_sink.hpp"

namespace rt::actors {

/// Spawns the actor for one connection. The transport sends it `inbound`
/// for each decoded frame and `closed_atom` when the connection is gone; it
/// calls `sink->consumed()` once per `inbound` handled.
caf::actor spawn_socket(caf::actor_system& sys, std::shared_ptr<const endpoint_context> ctx,
                        std::shared_ptr<connection_sink> sink, socket_info info);

} // namespace rt::actors
