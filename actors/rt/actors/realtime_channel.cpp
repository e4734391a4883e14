#include "rt/actors/realtime_channel.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

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

std::string system_payload(std::string_view status, std::string_view message,
                           std::string_view channel) {
  std::string p;
  p.append(R"({"extension":)");
  protocol::append_json_string(p, wire::extension_system);
  p.append(R"(,"status":)");
  protocol::append_json_string(p, status);
  p.append(R"(,"message":)");
  protocol::append_json_string(p, message);
  p.append(R"(,"channel":)");
  protocol::append_json_string(p, channel);
  p.push_back('}');
  return p;
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
  if (!config_.postgres_changes.empty())
    return join_result::refuse(std::string{wire::postgres_changes_unavailable});
  return join_result::accept(R"({"postgres_changes":[]})");
}

std::optional<protocol::jwt_failure> realtime_channel::confirm_token(channel_context& ctx) {
  auto now = unix_now();
  // The socket's own token passed every check at connect with the same
  // settings; of those checks only its expiry depends on the time. Reusing
  // the result spares a join the signature check and the claims parse.
  std::int64_t exp = token_ == ctx.socket().token ? claimed_expiry(ctx.socket().claims) : 0;
  if (exp <= now) {
    auto verified = protocol::verify_jwt(token_, endpoint_->jwt, now);
    if (!verified)
      return verified.error();
    exp = verified->exp;
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
  ctx.push(wire::system, system_payload(wire::status_error, message, sub_topic_));
  ctx.stop();
}

void realtime_channel::handle_in(channel_context& ctx, const protocol::message& msg) {
  if (msg.event == wire::broadcast)
    return handle_broadcast(ctx, msg);
  if (msg.event == wire::access_token)
    return handle_access_token(ctx, msg);
  channel_handler::handle_in(ctx, msg);
}

void realtime_channel::handle_broadcast(channel_context& ctx, const protocol::message& msg) {
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
    shutdown_with(ctx, protocol::jwt_failure_message(*failure));
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
