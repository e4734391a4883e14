#pragma once

#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "rt/actors/endpoint_context.hpp"
#include "rt/channel.hpp"
#include "rt/connection_sink.hpp"

namespace rt::actors {

/// Everything a channel actor is born with.
struct channel_setup {
  std::shared_ptr<const endpoint_context> ctx;
  std::shared_ptr<connection_sink> sink;
  std::shared_ptr<const socket_info> socket;
  /// The socket actor; the channel ends when it does.
  caf::actor owner;
  std::string topic;
  protocol::ref_value join_ref;
  std::shared_ptr<channel_handler> handler;
};

/// Spawns one joined topic's actor running `setup.handler`. Messages:
/// (join_atom, join_request), answered by sending (join_atom, join_result) to
/// the owner, at once or when a deferred join completes; channel_event;
/// (timer_atom, id); anything else goes to the handler's handle_info.
/// It ends normally when the handler calls stop(), abnormally when a handler
/// callback throws (the socket then sends phx_error).
caf::actor spawn_channel(caf::actor_system& sys, channel_setup setup);

} // namespace rt::actors
