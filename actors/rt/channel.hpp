#pragma once

// The interface an application implements to serve its own topics, the way a
// Phoenix app writes `channel "room:*", RoomChannel`. One handler object per
// joined topic per socket, driven by that join's channel actor: callbacks run
// one at a time, never concurrently. A callback that throws crashes only its
// channel; the client receives phx_error for that topic.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <caf/actor.hpp>
#include <caf/message.hpp>

#include "rt/connection_sink.hpp"

#include "rt/protocol/message.hpp"
#include "rt/protocol/vsn.hpp"
#include "rt/pubsub/broadcast.hpp"
#include "rt/pubsub/topic_scope.hpp"

namespace rt {

/// What the server learnt about a socket when it connected.
struct socket_info {
  /// Serializer the socket negotiated.
  protocol::vsn version = protocol::vsn::v2;
  /// The socket's token (apikey query parameter or x-api-key header).
  std::string token;
  /// Its verified claims.
  boost::json::object claims;
  /// The upgrade request's `x-*` headers as a JSON object text (names in
  /// lower case), which private channels' policies see as request.headers.
  std::string headers_json = "{}";
};

/// A client's request to join a topic.
struct join_request {
  std::string topic;
  protocol::ref_value join_ref;
  protocol::ref_value ref;
  /// The join payload (any JSON).
  protocol::json_payload payload;
};

/// The answer to a join: ok with a JSON response, or an error reason, or
/// "later" (the handler calls channel_context::complete_join when it knows).
struct join_result {
  bool ok = true;
  /// JSON text of the reply's `response` when ok.
  std::string response_json = "{}";
  /// Reason for an error reply (`{"reason": reason}`).
  std::string reason;
  /// Call the handler's after_join() once the ok reply is queued to the client.
  bool after_join = false;
  /// The answer comes later, through channel_context::complete_join.
  bool deferred = false;
  /// The namespace the channel subscribes in (and its broadcasts and
  /// presences live in): a private topic is not the public one of that name.
  pubsub::topic_scope scope = pubsub::topic_scope::public_topic;
  /// What the subscription may receive.
  pubsub::read_grants grants = {};
  /// Frames sent right after the ok reply, before any broadcast (a replay).
  std::vector<protocol::shared_frame> first_pushes = {};
  /// Ids of messages the client has had (those pushed first): broadcasts
  /// carrying one of them are not delivered again.
  std::shared_ptr<const pubsub::message_ids> known_ids = nullptr;

  static join_result accept(std::string response_json = "{}") {
    return {true, std::move(response_json), {}};
  }
  static join_result refuse(std::string reason) { return {false, "{}", std::move(reason)}; }
  static join_result defer() {
    join_result r;
    r.deferred = true;
    return r;
  }
};

/// Where a channel's frames go and who it is, for components outside the
/// channel that write to its client directly (frames queued to the sink
/// after after_join() follow the join reply).
struct channel_address {
  /// The channel's actor: its end (leave, crash, socket gone) can be monitored.
  caf::actor actor;
  std::shared_ptr<connection_sink> sink;
  protocol::vsn version = protocol::vsn::v2;
  std::string topic;
  /// The join's reference, which the channel's own pushes carry.
  protocol::ref_value join_ref;
  /// The namespace the channel joined in (known once the join is accepted).
  pubsub::topic_scope scope = pubsub::topic_scope::public_topic;
};

/// What a handler may do. Valid only inside a callback.
class channel_context {
public:
  virtual ~channel_context() = default;

  /// The joined topic.
  virtual std::string_view topic() const = 0;
  /// The socket this channel belongs to.
  virtual const socket_info& socket() const = 0;
  /// Replies to the client message carrying `ref`.
  virtual void reply(const protocol::ref_value& ref, std::string_view status,
                     std::string_view response_json) = 0;
  /// Pushes an event to this client only. `payload_json` must be JSON text.
  virtual void push(std::string_view event, std::string_view payload_json) = 0;
  /// Replies with a binary payload (kind 1). vsn 1 sockets cannot receive
  /// binary: returns false and sends nothing there.
  virtual bool reply_binary(const protocol::ref_value& ref, std::string_view status,
                            std::string_view bytes) = 0;
  /// Pushes a binary payload (kind 0); false (nothing sent) on vsn 1 sockets.
  virtual bool push_binary(std::string_view event, std::string_view bytes) = 0;
  /// Publishes to every subscriber of `msg.topic` on this node, this client
  /// included only when `include_self`.
  virtual void broadcast(pubsub::broadcast_message msg, bool include_self) = 0;
  /// Ends the channel normally after this callback; the client gets phx_close.
  virtual void stop() = 0;
  /// Calls `on_timer(timer_id)` after `delay` (unless the channel ended).
  virtual void start_timer(std::chrono::milliseconds delay, std::uint64_t timer_id) = 0;
  /// This channel's actor, sink and identity.
  virtual channel_address address() const = 0;
  /// Answers a join that join() deferred (join_result::defer()); nothing
  /// otherwise, or when answered already. A refusal ends the channel.
  virtual void complete_join(join_result result) = 0;

  // -- presence (Phoenix.Presence) --------------------------------------------

  /// Tracks this channel in its topic under `key` with `meta` (replacing the
  /// meta, with a new phx_ref, when tracked under `key` already). Every
  /// subscriber of the topic, this client included, gets the presence_diff.
  /// The presence leaves when the channel ends.
  virtual void track_presence(std::string key, boost::json::object meta) = 0;
  /// Stops tracking this channel under `key` (nothing when it is not tracked).
  virtual void untrack_presence(std::string key) = 0;
  /// Pushes `presence_state` (the topic's presences) to this client, after
  /// any track or untrack this channel asked for before.
  virtual void push_presence_state() = 0;
};

/// One joined topic's behaviour.
class channel_handler {
public:
  virtual ~channel_handler() = default;

  /// Decides the join. Runs before the channel subscribes to its topic. A
  /// handler that must ask something first returns join_result::defer() and
  /// answers with ctx.complete_join(); the socket handles none of its other
  /// frames until then, as in Phoenix.
  virtual join_result join(channel_context& ctx, const join_request& request) = 0;

  /// Handles an event the client sent on this topic (never phx_join,
  /// phx_leave or heartbeat). The default answers `{"reason":"unhandled event"}`.
  virtual void handle_in(channel_context& ctx, const protocol::message& msg);

  /// A timer started with start_timer() fired.
  virtual void on_timer(channel_context& ctx, std::uint64_t timer_id);

  /// Runs once the join reply is queued, when join() accepted with
  /// `after_join` set (Phoenix's `send(self(), :after_join)`).
  virtual void after_join(channel_context& ctx);

  /// Any other message sent to the channel's actor (Phoenix's handle_info),
  /// e.g. the answer to a request the handler sent with the actor as the
  /// address to reply to. The default ignores it.
  virtual void handle_info(channel_context& ctx, const caf::message& msg);
};

/// Makes a fresh handler for each join.
using channel_factory = std::function<std::unique_ptr<channel_handler>()>;

/// Topics served by a factory: an exact topic, or a prefix ending in `*`
/// ("room:*" matches "room:lobby"), as in Phoenix's `channel` routes.
struct channel_route {
  std::string pattern;
  channel_factory make;

  /// True when `topic` belongs to this route.
  bool matches(std::string_view topic) const noexcept;
};

} // namespace rt
