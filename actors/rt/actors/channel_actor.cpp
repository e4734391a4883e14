#include "rt/actors/channel_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/message_view.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "rt/actors/messages.hpp"
#include "rt/actors/timer_service.hpp"
#include "rt/actors/tracker_messages.hpp"
#include "rt/protocol/encode.hpp"

namespace rt::actors {

namespace {

class channel_state;
using channel_self = caf::stateful_actor<channel_state>*;

// The handler's view of its channel, bound to the actor running it.
class actor_channel_context final : public channel_context {
public:
  actor_channel_context(channel_self self, channel_setup setup)
    : self_(self), setup_(std::move(setup)) {}

  std::string_view topic() const override { return setup_.topic; }
  const socket_info& socket() const override { return *setup_.socket; }

  void reply(const protocol::ref_value& ref, std::string_view status,
             std::string_view response_json) override {
    setup_.sink->send(protocol::encode_reply(version(), setup_.join_ref, ref, setup_.topic,
                                             status, response_json));
  }

  void push(std::string_view event, std::string_view payload_json) override {
    setup_.sink->send(
      protocol::encode_push(version(), setup_.join_ref, setup_.topic, event, payload_json));
  }

  bool reply_binary(const protocol::ref_value& ref, std::string_view status,
                    std::string_view bytes) override {
    return send_if(protocol::encode_binary_reply(version(), setup_.join_ref, ref,
                                                 setup_.topic, status, bytes));
  }

  bool push_binary(std::string_view event, std::string_view bytes) override {
    return send_if(
      protocol::encode_binary_push(version(), setup_.join_ref, setup_.topic, event, bytes));
  }

  void broadcast(pubsub::broadcast_message msg, bool include_self) override;
  void stop() override { stop_requested_ = true; }
  void start_timer(std::chrono::milliseconds delay, std::uint64_t timer_id) override;

  channel_address address() const override {
    return {caf::actor_cast<caf::actor>(self_), setup_.sink, version(), setup_.topic,
            setup_.join_ref, scope_};
  }

  void complete_join(join_result result) override;
  /// Sends the handler's answer to join() unless it deferred it.
  void answer_join(join_result result);

  void track_presence(std::string key, boost::json::object meta) override;
  void untrack_presence(std::string key) override;
  void push_presence_state() override;

  channel_handler& handler() { return *setup_.handler; }
  const caf::actor& owner() const { return setup_.owner; }
  bool stop_requested() const { return stop_requested_; }

private:
  protocol::vsn version() const { return setup_.socket->version; }

  bool send_if(protocol::shared_frame frame) {
    return frame != nullptr && setup_.sink->send(std::move(frame));
  }

  channel_self self_;
  channel_setup setup_;
  bool stop_requested_ = false;
  bool join_deferred_ = false;
  pubsub::topic_scope scope_ = pubsub::topic_scope::public_topic;
};

class channel_state {
public:
  std::unique_ptr<actor_channel_context> ctx;
  static inline const char* name = "rt.channel";
};

void actor_channel_context::answer_join(join_result result) {
  if (result.deferred) {
    join_deferred_ = true;
    return;
  }
  if (result.ok)
    scope_ = result.scope;
  self_->send(setup_.owner, join_atom::value, std::move(result));
}

void actor_channel_context::complete_join(join_result result) {
  if (!join_deferred_ || result.deferred)
    return;
  join_deferred_ = false;
  answer_join(std::move(result));
}

void actor_channel_context::broadcast(pubsub::broadcast_message msg, bool include_self) {
  std::optional<pubsub::subscriber_id> exclude;
  if (!include_self)
    exclude = self_->id();
  self_->send(setup_.ctx->pubsub, publish{std::move(msg), exclude, nullptr});
}

void actor_channel_context::track_presence(std::string key, boost::json::object meta) {
  self_->send(setup_.ctx->tracker, presence_track{address(), std::move(key), std::move(meta)});
}

void actor_channel_context::untrack_presence(std::string key) {
  self_->send(setup_.ctx->tracker,
              presence_untrack{caf::actor_cast<caf::actor>(self_),
                               pubsub::scoped_key(scope_, setup_.topic), std::move(key)});
}

void actor_channel_context::push_presence_state() {
  self_->send(setup_.ctx->tracker, presence_sync{address()});
}

void actor_channel_context::start_timer(std::chrono::milliseconds delay,
                                        std::uint64_t timer_id) {
  self_->send(setup_.ctx->timers,
              start_timer_request{self_->address(), self_->clock().now() + delay, timer_id});
}

// Runs after every handler callback: a requested stop ends the actor normally.
void settle(channel_self self) {
  if (self->state.ctx->stop_requested())
    self->quit(caf::exit_reason::normal);
}

// A throwing handler ends its channel (the socket then sends phx_error); the
// reason goes to the log rather than CAF's default print to stdout.
caf::error on_handler_exception(caf::scheduled_actor*, std::exception_ptr& eptr) {
  try {
    std::rethrow_exception(eptr);
  } catch (const std::exception& e) {
    spdlog::error("channel crashed: {}", e.what());
  } catch (...) {
    spdlog::error("channel crashed with a non-standard exception");
  }
  return caf::make_error(caf::sec::runtime_error);
}

// Messages the channel does not know itself are the handler's (handle_info).
caf::result<caf::message> to_handler(caf::scheduled_actor* base, caf::message_view& view) {
  auto self = static_cast<channel_self>(base);
  auto& ctx = *self->state.ctx;
  ctx.handler().handle_info(ctx, view.move_content_to_message());
  settle(self);
  return caf::message{};
}

caf::behavior channel_behavior(channel_self self, channel_setup setup) {
  self->set_exception_handler(on_handler_exception);
  self->set_default_handler(to_handler);
  self->state.ctx = std::make_unique<actor_channel_context>(self, std::move(setup));
  self->monitor(self->state.ctx->owner());
  self->set_down_handler([self](caf::down_msg&) { self->quit(caf::exit_reason::normal); });
  return {
    [self](join_atom, join_request& request) {
      auto& ctx = *self->state.ctx;
      ctx.answer_join(ctx.handler().join(ctx, request));
    },
    [self](channel_event& ev) {
      auto& ctx = *self->state.ctx;
      ctx.handler().handle_in(ctx, ev.msg);
      settle(self);
    },
    [self](joined_atom) {
      auto& ctx = *self->state.ctx;
      ctx.handler().after_join(ctx);
      settle(self);
    },
    [self](timer_atom, std::uint64_t timer_id) {
      auto& ctx = *self->state.ctx;
      ctx.handler().on_timer(ctx, timer_id);
      settle(self);
    },
  };
}

} // namespace

caf::actor spawn_channel(caf::actor_system& sys, channel_setup setup) {
  return sys.spawn(channel_behavior, std::move(setup));
}

} // namespace rt::actors
