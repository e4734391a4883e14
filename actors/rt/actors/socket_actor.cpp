#include "rt/actors/socket_actor.hpp"

#include "rt/pubsub/fifo.hpp"
#include <optional>
#include <string>
#include <unordered_map>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "rt/actors/channel_actor.hpp"
#include "rt/actors/messages.hpp"
#include "rt/actors/unexpected.hpp"
#include "rt/protocol/encode.hpp"
#include "rt/protocol/events.hpp"

namespace rt::actors {

namespace {

namespace wire = protocol::wire;

struct joined {
  caf::actor actor;
  protocol::ref_value join_ref;
};

struct pending_join {
  std::string topic;
  protocol::ref_value reply_join_ref; // as the client sent it
  protocol::ref_value join_ref;       // the join's identity (ref when join_ref is null)
  protocol::ref_value ref;
  caf::actor channel;
  std::optional<joined> replaced; // the older join of the same topic
};

// Frames (and maybe a close) held back by CHANNEL_ERROR_BACKOFF_MS.
struct delayed_answer {
  std::vector<protocol::shared_frame> frames;
  std::optional<std::uint16_t> close_code;
  std::string close_reason;
};

struct socket_state {
  std::shared_ptr<const endpoint_context> ctx;
  std::shared_ptr<connection_sink> sink;
  std::shared_ptr<const socket_info> info;
  std::unordered_map<std::string, joined> channels;
  pubsub::fifo<inbound> backlog; // frames that arrived during a join
  std::optional<pending_join> pending;
  std::optional<delayed_answer> delayed;
  static inline const char* name = "rt.socket";
};

using socket_self = caf::stateful_actor<socket_state>*;

void handle(socket_self self, inbound& in);

protocol::vsn version(socket_self self) {
  return self->state.info->version;
}

void send_frame(socket_self self, protocol::shared_frame frame) {
  self->state.sink->send(std::move(frame));
}

void reply(socket_self self, const protocol::ref_value& join_ref,
           const protocol::ref_value& ref, std::string_view topic,
           std::string_view response = "{}") {
  send_frame(self, protocol::encode_reply(version(self), join_ref, ref, topic,
                                          wire::status_ok, response));
}

void reply_error(socket_self self, const protocol::ref_value& join_ref,
                 const protocol::ref_value& ref, std::string_view topic,
                 std::string_view reason) {
  send_frame(self,
             protocol::encode_error_reply(version(self), join_ref, ref, topic, reason));
}

protocol::shared_frame signal(socket_self self, const protocol::ref_value& join_ref,
                              std::string_view topic, std::string_view event) {
  return protocol::encode_channel_signal(version(self), join_ref, topic, event);
}

void stop_channel(socket_self self, const joined& j) {
  self->demonitor(j.actor);
  self->send_exit(j.actor, caf::exit_reason::user_shutdown);
}

// -- joins ------------------------------------------------------------------------

void drain_backlog(socket_self self) {
  auto& st = self->state;
  while (!st.pending && !st.delayed && !st.backlog.empty()) {
    auto next = std::move(st.backlog.front());
    st.backlog.pop_front();
    handle(self, next);
  }
}

void deliver(socket_self self, delayed_answer answer) {
  for (auto& f : answer.frames)
    send_frame(self, std::move(f));
  if (answer.close_code)
    self->state.sink->close(*answer.close_code, std::move(answer.close_reason));
}

// Sends a join error after the configured backoff, holding later frames back.
void answer_join_error(socket_self self, delayed_answer answer) {
  auto backoff = self->state.ctx->config.channel_error_backoff;
  if (backoff.count() <= 0) {
    deliver(self, std::move(answer));
    return;
  }
  self->state.delayed = std::move(answer);
  self->delayed_send(self, backoff, join_err_atom::value);
}

void refuse_join(socket_self self, pending_join& p, std::string_view reason,
                 std::optional<std::uint16_t> close_code = std::nullopt,
                 std::string close_reason = {}) {
  delayed_answer answer;
  answer.frames.push_back(protocol::encode_error_reply(version(self), p.reply_join_ref,
                                                       p.ref, p.topic, reason));
  if (p.replaced)
    answer.frames.push_back(signal(self, p.replaced->join_ref, p.topic, wire::phx_close));
  answer.close_code = close_code;
  answer.close_reason = std::move(close_reason);
  answer_join_error(self, std::move(answer));
}

void accept_join(socket_self self, pending_join& p, join_result& result) {
  auto& st = self->state;
  std::vector<protocol::shared_frame> first;
  first.push_back(protocol::encode_reply(version(self), p.reply_join_ref, p.ref, p.topic,
                                         wire::status_ok, result.response_json));
  for (auto& push : result.first_pushes)
    first.push_back(std::move(push));
  if (p.replaced)
    first.push_back(signal(self, p.replaced->join_ref, p.topic, wire::phx_close));
  st.channels.emplace(p.topic, joined{p.channel, p.join_ref});
  self->send(st.ctx->pubsub,
             subscribe{p.topic, result.scope, result.grants, std::move(result.known_ids),
                       p.channel.id(), version(self), st.sink, p.channel, std::move(first),
                       result.after_join});
}

void on_join_result(socket_self self, join_result& result) {
  auto p = std::move(*self->state.pending);
  self->state.pending.reset();
  if (result.ok) {
    accept_join(self, p, result);
  } else {
    stop_channel(self, joined{p.channel, p.join_ref});
    refuse_join(self, p, result.reason);
  }
  drain_backlog(self);
}

void on_join_crash(socket_self self) {
  auto p = std::move(*self->state.pending);
  self->state.pending.reset();
  stop_channel(self, joined{p.channel, p.join_ref});
  send_frame(self, protocol::encode_error_reply(version(self), p.reply_join_ref, p.ref,
                                                p.topic, wire::join_crashed));
  if (p.replaced)
    send_frame(self, signal(self, p.replaced->join_ref, p.topic, wire::phx_close));
  drain_backlog(self);
}

void run_join(socket_self self, pending_join p, const channel_route& route,
              protocol::message& msg) {
  auto& st = self->state;
  channel_setup setup{st.ctx,    st.sink, st.info, caf::actor_cast<caf::actor>(self),
                      p.topic,   p.join_ref, std::shared_ptr<channel_handler>{route.make()}};
  p.channel = spawn_channel(self->system(), std::move(setup));
  self->monitor(p.channel);
  join_request request{p.topic, p.reply_join_ref, p.ref,
                       std::move(std::get<protocol::json_payload>(msg.body))};
  auto channel = p.channel;
  st.pending = std::move(p);
  // The channel answers with (join_atom, join_result), or dies (a crash in the
  // handler), which the monitor reports. No timeout: it would cost a clock
  // entry (and a wake-up of the clock thread) per join.
  self->send(channel, join_atom::value, std::move(request));
}

bool is_pending_channel(socket_self self, const caf::actor_addr& who) {
  auto& pending = self->state.pending;
  return pending && pending->channel.address() == who;
}

void start_join(socket_self self, protocol::message& msg) {
  auto& st = self->state;
  auto* route = st.ctx->route_for(msg.topic);
  if (route == nullptr || msg.json() == nullptr) {
    reply_error(self, {}, msg.ref, msg.topic, wire::unmatched_topic);
    return;
  }
  pending_join p;
  p.topic = msg.topic;
  p.reply_join_ref = msg.join_ref;
  p.join_ref = msg.join_ref.is_null() ? msg.ref : msg.join_ref;
  p.ref = msg.ref;
  if (auto it = st.channels.find(msg.topic); it != st.channels.end()) {
    p.replaced = std::move(it->second);
    st.channels.erase(it);
    stop_channel(self, *p.replaced);
    self->send(st.ctx->pubsub, unsubscribe{p.replaced->actor.id(), st.sink, {}});
  }
  if (st.channels.size() >= st.ctx->config.max_channels_per_client)
    return refuse_join(self, p, wire::too_many_channels);
  if (!st.ctx->joins.try_join())
    return refuse_join(self, p, wire::too_many_joins, wire::close_policy,
                       std::string{wire::msg_too_many_joins});
  run_join(self, std::move(p), *route, msg);
}

// -- other events -------------------------------------------------------------------

void leave(socket_self self, std::unordered_map<std::string, joined>::iterator it,
           const protocol::message& msg) {
  auto& st = self->state;
  auto j = std::move(it->second);
  st.channels.erase(it);
  stop_channel(self, j);
  std::vector<protocol::shared_frame> last;
  last.push_back(protocol::encode_reply(version(self), j.join_ref, msg.ref, msg.topic,
                                        wire::status_ok, "{}"));
  last.push_back(signal(self, j.join_ref, msg.topic, wire::phx_close));
  self->send(st.ctx->pubsub, unsubscribe{j.actor.id(), st.sink, std::move(last)});
}

void on_message(socket_self self, protocol::message& msg) {
  auto& st = self->state;
  if (msg.topic == wire::phoenix_topic && msg.event == wire::heartbeat)
    return reply(self, {}, msg.ref, msg.topic);
  if (msg.event == wire::phx_join)
    return start_join(self, msg);
  auto it = st.channels.find(msg.topic);
  if (msg.event == wire::phx_leave) {
    if (it == st.channels.end())
      return reply(self, msg.join_ref, msg.ref, msg.topic);
    return leave(self, it, msg);
  }
  if (it == st.channels.end())
    return reply_error(self, {}, msg.ref, msg.topic, wire::unmatched_topic);
  self->send(it->second.actor, channel_event{std::move(msg)});
}

void on_failure(socket_self self, const protocol::decode_failure& f) {
  auto topic = f.topic.empty() ? std::string{wire::phoenix_topic} : f.topic;
  reply_error(self, f.join_ref, f.ref, topic, wire::malformed_message);
}

void handle(socket_self self, inbound& in) {
  if (auto* msg = std::get_if<protocol::message>(&in.content))
    on_message(self, *msg);
  else
    on_failure(self, std::get<protocol::decode_failure>(in.content));
  self->state.sink->consumed();
}

// -- lifecycle ------------------------------------------------------------------------

void on_channel_down(socket_self self, const caf::down_msg& dm) {
  auto& st = self->state;
  if (is_pending_channel(self, dm.source))
    return on_join_crash(self);
  for (auto it = st.channels.begin(); it != st.channels.end(); ++it) {
    if (it->second.actor.address() != dm.source)
      continue;
    auto event = dm.reason == caf::exit_reason::normal ? wire::phx_close : wire::phx_error;
    std::vector<protocol::shared_frame> last{signal(self, it->second.join_ref, it->first, event)};
    self->send(st.ctx->pubsub, unsubscribe{dm.source.id(), st.sink, std::move(last)});
    st.channels.erase(it);
    return;
  }
}

void shut_down(socket_self self) {
  for (auto& [topic, j] : self->state.channels)
    stop_channel(self, j);
  self->state.channels.clear();
  if (self->state.pending)
    self->send_exit(self->state.pending->channel, caf::exit_reason::user_shutdown);
  self->quit();
}

caf::behavior socket_behavior(socket_self self, std::shared_ptr<const endpoint_context> ctx,
                              std::shared_ptr<connection_sink> sink, socket_info info) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.sink = std::move(sink);
  st.info = std::make_shared<const socket_info>(std::move(info));
  self->set_down_handler([self](caf::down_msg& dm) { on_channel_down(self, dm); });
  self->set_default_handler(drop_unexpected);
  return {
    [self](inbound& in) {
      if (self->state.pending || self->state.delayed)
        self->state.backlog.push_back(std::move(in));
      else
        handle(self, in);
    },
    [self](join_atom, join_result& result) {
      if (is_pending_channel(self, caf::actor_cast<caf::actor_addr>(self->current_sender())))
        on_join_result(self, result);
    },
    [self](join_err_atom) {
      if (auto answer = std::move(self->state.delayed)) {
        self->state.delayed.reset();
        deliver(self, std::move(*answer));
      }
      drain_backlog(self);
    },
    [self](closed_atom) { shut_down(self); },
  };
}

} // namespace

caf::actor spawn_socket(caf::actor_system& sys, std::shared_ptr<const endpoint_context> ctx,
                        std::shared_ptr<connection_sink> sink, socket_info info) {
  return sys.spawn(socket_behavior, std::move(ctx), std::move(sink), std::move(info));
}

} // namespace rt::actors
