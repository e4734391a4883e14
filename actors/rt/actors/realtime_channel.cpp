#include "rt/actors/realtime_channel.hpp"

#include <algorithm>

#include <boost/json/serialize.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "rt/actors/changes_messages.hpp"
#include "rt/actors/messages.hpp"

#include "rt/protocol/encode.hpp"
#include "rt/protocol/events.hpp"
#include "rt/protocol/json_text.hpp"

namespace rt::actors {

namespace {

namespace wire = protocol::wire;

// Supabase re-checks a channel's token at least this often.
constexpr std::chrono::minutes token_check_interval{5};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

// "<Code>: <message>", or the bare message where Supabase sends no code.
std::string join_reason(const protocol::jwt_failure& failure) {
  auto code = protocol::jwt_failure_code(failure);
  auto message = protocol::jwt_failure_message(failure);
  if (code.empty())
    return message;
  return std::string{code} + ": " + message;
}

// The rounded `exp` of claims that verify_jwt accepted; 0 when absent.
std::int64_t claimed_expiry(const boost::json::object& claims) {
  auto* exp = claims.if_contains("exp");
  if (exp == nullptr)
    return 0;
  boost::system::error_code ec;
  auto value = exp->to_number<std::int64_t>(ec);
  return ec ? 0 : value;
}

std::size_t payload_size(const protocol::message& msg) {
  if (auto* j = msg.json())
    return j->text.size();
  if (auto* u = std::get_if<protocol::user_broadcast_payload>(&msg.body))
    return u->bytes.size();
  return std::get<protocol::binary_payload>(msg.body).bytes.size();
}

// A stored broadcast as replay pushes it: the text broadcast Supabase sends
// (keys in Jason's order), or a user broadcast for a binary payload (none
// on vsn 1).
protocol::shared_frame replayed_frame(protocol::vsn v, std::string_view topic,
                                      const db::stored_message& m) {
  auto meta = R"({"id":)" + protocol::json_string(m.id) + R"(,"replayed":true})";
  if (m.binary)
    return protocol::encode_user_broadcast(
      v, topic, {m.event, protocol::payload_encoding::binary, *m.binary}, meta);
  std::string payload = R"({"event":)" + protocol::json_string(m.event) + R"(,"meta":)" + meta
                        + R"(,"payload":)" + m.payload_json + R"(,"type":"broadcast"})";
  return protocol::encode_broadcast(v, topic, wire::broadcast, payload);
}

} // namespace

realtime_channel::realtime_channel(std::shared_ptr<const endpoint_context> ctx)
  : endpoint_(std::move(ctx)) {}

join_result realtime_channel::join(channel_context& ctx, const join_request& request) {
  auto sub = protocol::realtime_subtopic(request.topic);
  if (!sub || sub->empty())
    return join_result::refuse(std::string{wire::topic_name_required});
  if (endpoint_->stopping.load())
    return join_result::refuse(std::string{wire::realtime_restarting});
  sub_topic_ = std::string{*sub};
  std::vector<std::string> problems;
  config_ = protocol::parse_join_config(request.payload.value, &problems);
  for (auto& p : problems)
    spdlog::debug("InvalidJoinPayload on {}: {}", request.topic, p);
  token_ = config_.access_token.value_or(ctx.socket().token);
  if (auto failure = confirm_token(ctx))
    return join_result::refuse(join_reason(*failure));
  if (!config_.postgres_changes.empty() && !endpoint_->changes)
    return join_result::refuse(std::string{wire::postgres_changes_unavailable});
  presence_.emplace(*endpoint_, config_);
  auto result = join_result::accept(read_bindings());
  result.after_join = presence_->enabled() || !config_.postgres_changes.empty();
  if (!config_.is_private)
    return config_.replay_asked ? join_result::refuse(std::string{wire::replay_public}) : result;
  private_.emplace(endpoint_, ctx.address().actor);
  private_->reset(policy_client(ctx));
  if (!private_->ask_read())
    return join_result::refuse(std::string{wire::unable_to_connect_to_project});
  pending_join_ = std::move(result);
  return join_result::defer();
}

db::channel_client realtime_channel::policy_client(channel_context& ctx) const {
  return actors::policy_client(sub_topic_, role_, claims_, ctx.socket().headers_json);
}

void realtime_channel::handle_info(channel_context& ctx, const caf::message& msg) {
  if (private_ && pending_join_ && msg.match_elements<replay_answer>())
    return finish_replay(ctx, msg.get_as<replay_answer>(0));
  if (!private_ || !msg.match_elements<permission_answer>())
    return;
  const auto& answer = msg.get_as<permission_answer>(0);
  switch (private_->classify(answer)) {
    case private_access::answer_kind::read:
      return on_read_answer(ctx, answer);
    case private_access::answer_kind::write:
      private_->on_write_answer(answer,
                                [&](const protocol::message& waited) { handle_in(ctx, waited); });
      return;
    case private_access::answer_kind::stale:
      return;
  }
}

void realtime_channel::on_read_answer(channel_context& ctx, const permission_answer& answer) {
  if (pending_join_)
    return finish_private_join(ctx, answer);
  switch (answer.outcome) {
    case permission_outcome::unavailable:
      return shutdown_with(ctx, wire::msg_unable_to_connect_to_project);
    case permission_outcome::policy_error:
      return shutdown_with(ctx, std::string{wire::no_read_permission_prefix} + sub_topic_);
    case permission_outcome::answered:
      return on_reads_changed(ctx, answer.permissions);
  }
}

void realtime_channel::finish_private_join(channel_context& ctx,
                                           const permission_answer& answer) {
  auto result = std::move(*pending_join_);
  pending_join_.reset();
  const auto& reads = answer.permissions;
  bool broadcast = reads.broadcast.value_or(false);
  bool presence = reads.presence.value_or(false);
  if (answer.outcome == permission_outcome::unavailable)
    return ctx.complete_join(join_result::refuse(std::string{wire::unable_to_connect_to_project}));
  if (answer.outcome == permission_outcome::policy_error || (!broadcast && !presence))
    return ctx.complete_join(
      join_result::refuse(std::string{wire::unauthorized_read_prefix} + sub_topic_));
  private_->set_reads(reads);
  presence_->set_permissions(presence, true);
  result.scope = pubsub::topic_scope::private_topic;
  result.grants = {broadcast, presence};
  if (config_.replay_asked && !broadcast)
    return ctx.complete_join(
      join_result::refuse(std::string{wire::unauthorized_read_prefix} + sub_topic_));
  if (config_.replay && !config_.replay->valid)
    return ctx.complete_join(join_result::refuse(std::string{wire::replay_invalid}));
  if (!config_.replay)
    return ctx.complete_join(std::move(result));
  if (!private_->ask_replay(config_.replay->since_ms, config_.replay->limit))
    return ctx.complete_join(join_result::refuse(std::string{wire::replay_failed}));
  pending_join_ = std::move(result);
}

void realtime_channel::finish_replay(channel_context& ctx, const replay_answer& answer) {
  auto result = std::move(*pending_join_);
  pending_join_.reset();
  if (!answer.ok)
    return ctx.complete_join(join_result::refuse(std::string{wire::replay_failed}));
  auto ids = std::make_shared<pubsub::message_ids>();
  for (const auto& m : answer.messages) {
    ids->insert(m.id);
    if (auto frame = replayed_frame(ctx.socket().version, ctx.topic(), m))
      result.first_pushes.push_back(std::move(frame));
  }
  result.known_ids = std::move(ids);
  ctx.complete_join(std::move(result));
}

void realtime_channel::on_reads_changed(channel_context& ctx,
                                        const db::channel_permissions& now) {
  const auto& before = private_->reads();
  auto lost = [](std::optional<bool> was, std::optional<bool> is) {
    return was.value_or(false) && !is.value_or(false);
  };
  if (lost(before.broadcast, now.broadcast) || lost(before.presence, now.presence))
    return shutdown_with(ctx, std::string{wire::read_revoked_prefix} + sub_topic_);
  private_->set_reads(now);
  pubsub::read_grants grants{now.broadcast.value_or(false), now.presence.value_or(false)};
  presence_->set_permissions(grants.presence, true);
  caf::anon_send(endpoint_->pubsub, regrant{ctx.address().actor.id(), grants});
}

bool realtime_channel::admit_broadcast(const protocol::message& msg) {
  if (!private_)
    return true;
  return private_->admit(msg, false) == private_access::gate::allow;
}

bool realtime_channel::admit_presence(const protocol::message& msg) {
  if (!private_)
    return true;
  auto gate = private_->admit(msg, true);
  if (gate == private_access::gate::wait)
    return false;
  presence_->set_permissions(private_->reads().presence.value_or(false),
                             gate == private_access::gate::allow);
  return true;
}

std::string realtime_channel::read_bindings() {
  // Each entry is echoed as sent, plus its id; realtime-js compares them
  // position by position with its own bindings.
  boost::json::array echoed;
  for (const auto& entry : config_.postgres_changes) {
    auto parsed = replication::parse_binding(entry);
    if (parsed)
      bindings_.push_back(std::move(*parsed));
    else if (binding_error_.empty())
      binding_error_ = parsed.error();
    boost::json::value copy = entry;
    if (auto* o = copy.if_object())
      (*o)["id"] = replication::binding_id(entry);
    echoed.push_back(std::move(copy));
  }
  boost::json::object response;
  response["postgres_changes"] = std::move(echoed);
  return boost::json::serialize(response);
}

void realtime_channel::after_join(channel_context& ctx) {
  if (auto error = presence_->sync(ctx))
    return shutdown_with(ctx, *error);
  if (!config_.postgres_changes.empty())
    subscribe_changes(ctx);
}

void realtime_channel::subscribe_changes(channel_context& ctx) {
  auto address = ctx.address();
  if (!binding_error_.empty()) {
    ctx.push(wire::system, protocol::system_payload(wire::extension_postgres_changes,
                                                    wire::status_error, binding_error_,
                                                    sub_topic_));
    return;
  }
  caf::anon_send(endpoint_->changes,
                 changes_subscription{std::move(address.actor), std::move(address.sink),
                                      address.version, std::move(address.topic),
                                      std::move(address.join_ref), role_, bindings_,
                                      boost::json::serialize(claims_)});
}

std::optional<protocol::jwt_failure> realtime_channel::confirm_token(channel_context& ctx) {
  auto now = unix_now();
  // The socket's own token passed every check at connect with the same
  // settings; of those checks only its expiry depends on the time. Reusing
  // the result spares a join the signature check and the claims parse.
  std::int64_t exp = token_ == ctx.socket().token ? claimed_expiry(ctx.socket().claims) : 0;
  if (exp > now) {
    auto* role = ctx.socket().claims.if_contains("role");
    role_ = role != nullptr && role->is_string() ? std::string{role->get_string()} : "";
    claims_ = ctx.socket().claims;
  } else {
    auto verified = protocol::verify_jwt(token_, endpoint_->jwt, now);
    if (!verified)
      return verified.error();
    exp = verified->exp;
    role_ = verified->role;
    claims_ = std::move(verified->claims);
  }
  auto remaining = exp - now;
  if (remaining <= 0)
    return protocol::jwt_failure{protocol::errc::jwt_invalid_expiration, 0};
  auto delay = std::min<std::chrono::milliseconds>(token_check_interval,
                                                   std::chrono::seconds{remaining});
  ctx.start_timer(delay, ++token_generation_);
  return std::nullopt;
}

void realtime_channel::on_timer(channel_context& ctx, std::uint64_t timer_id) {
  // A refreshed token started a newer timer; older ones are stale.
  if (timer_id != token_generation_)
    return;
  if (auto failure = confirm_token(ctx))
    shutdown_with(ctx, protocol::jwt_failure_message(*failure));
}

void realtime_channel::shutdown_with(channel_context& ctx, std::string_view message) {
  ctx.push(wire::system, protocol::system_payload(wire::extension_system, wire::status_error, message, sub_topic_));
  ctx.stop();
}

void realtime_channel::handle_in(channel_context& ctx, const protocol::message& msg) {
  if (private_ && private_->hold(msg))
    return;
  if (msg.event == wire::broadcast)
    return handle_broadcast(ctx, msg);
  if (msg.event == wire::access_token)
    return handle_access_token(ctx, msg);
  if (msg.event == wire::presence) {
    if (!admit_presence(msg))
      return;
    if (auto error = presence_->handle(ctx, msg))
      shutdown_with(ctx, *error);
    return;
  }
  channel_handler::handle_in(ctx, msg);
}

void realtime_channel::handle_broadcast(channel_context& ctx, const protocol::message& msg) {
  // A private channel without write permission drops it without a word.
  if (!admit_broadcast(msg))
    return;
  auto* json = msg.json();
  // Binary bodies (kinds 0 and 3) are forwarded as they are; JSON must be an object.
  if (json != nullptr && !json->value.is_object()) {
    ctx.reply(msg.ref, wire::status_error, protocol::reason_json(wire::malformed_message));
    return;
  }
  if (payload_size(msg) > endpoint_->config.max_payload_bytes()) {
    if (config_.broadcast_ack)
      ctx.reply(msg.ref, wire::status_error, protocol::json_string(wire::payload_size_exceeded));
    return;
  }
  publish(ctx, msg);
  if (config_.broadcast_ack)
    ctx.reply(msg.ref, wire::status_ok, "{}");
}

void realtime_channel::publish(channel_context& ctx, const protocol::message& msg) {
  pubsub::broadcast_message out;
  out.topic = std::string{ctx.topic()};
  if (private_)
    out.scope = pubsub::topic_scope::private_topic;
  out.event = std::string{wire::broadcast};
  if (auto* json = msg.json())
    out.payload_json = json->text;
  else if (auto* user = std::get_if<protocol::user_broadcast_payload>(&msg.body))
    out.user = *user;
  else
    out.binary = std::get<protocol::binary_payload>(msg.body).bytes;
  ctx.broadcast(std::move(out), config_.broadcast_self);
}

void realtime_channel::handle_access_token(channel_context& ctx,
                                           const protocol::message& msg) {
  auto* json = msg.json();
  auto* obj = json != nullptr ? json->value.if_object() : nullptr;
  auto* value = obj != nullptr ? obj->if_contains(wire::access_token) : nullptr;
  auto* token = value != nullptr ? value->if_string() : nullptr;
  // Null, unchanged and `sb_` API keys are ignored, as in Supabase.
  if (token == nullptr)
    return;
  std::string_view text{*token};
  if (text == token_ || text.substr(0, 3) == "sb_")
    return;
  token_ = std::string{text};
  if (auto failure = confirm_token(ctx))
    return shutdown_with(ctx, protocol::jwt_failure_message(*failure));
  if (private_) {
    private_->reset(policy_client(ctx));
    if (!private_->ask_read())
      return shutdown_with(ctx, wire::msg_unable_to_connect_to_project);
  }
  // As Supabase does, the bindings are subscribed again with the new token's
  // role (and the client hears "Subscribed to PostgreSQL" again).
  if (!config_.postgres_changes.empty() && binding_error_.empty())
    subscribe_changes(ctx);
}

channel_route realtime_route(std::shared_ptr<const endpoint_context> ctx) {
  std::string pattern{wire::realtime_prefix};
  pattern.push_back('*');
  // The route lives inside the context: a strong capture would keep it alive forever.
  std::weak_ptr<const endpoint_context> weak = ctx;
  return {std::move(pattern),
          [weak] { return std::make_unique<realtime_channel>(weak.lock()); }};
}

} // namespace rt::actors
