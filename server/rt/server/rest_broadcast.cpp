#include "rt/server/rest_broadcast.hpp"

#include <chrono>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "rt/actors/authorizer.hpp"
#include "rt/actors/messages.hpp"
#include "rt/protocol/events.hpp"
#include "rt/protocol/json_text.hpp"
#include "rt/protocol/jwt.hpp"

namespace rt::server {

namespace {

namespace http = boost::beast::http;
namespace wire = protocol::wire;
using protocol::rest_route;

constexpr std::string_view allowed_methods = "POST, OPTIONS";
// Preflights may ask for any header; these are what realtime-js sends.
constexpr std::string_view default_allowed_headers =
  "authorization, apikey, content-type, x-client-info";
constexpr std::string_view exposed_headers = "x-rate-rolling, x-rate-limit, x-rate-limit-remaining";
constexpr std::string_view preflight_max_age = "86400";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

std::optional<std::string_view> header(const http_request& req, std::string_view name) {
  auto it = req.find(name);
  if (it == req.end())
    return std::nullopt;
  return std::string_view{it->value()};
}

std::string message_body(std::string_view key, std::string_view message) {
  return "{" + protocol::json_string(key) + ":" + protocol::json_string(message) + "}";
}

// The budget as the request found it, for the x-rate-* headers.
struct rate_seen {
  double per_second = 0;
  std::size_t limit = 0;
};

// One request being answered; shared with the permission checks it waits for.
struct rest_call {
  std::shared_ptr<const actors::endpoint_context> ctx;
  boost::asio::any_io_executor executor;
  std::function<void(http_response)> reply;
  unsigned version = 11;
  std::optional<rate_seen> rate;

  void answer(http::status status, std::string body = {}) {
    http_response res{status, version};
    res.set(http::field::access_control_allow_origin, "*");
    res.set(http::field::access_control_expose_headers, exposed_headers);
    if (rate) {
      // Supabase's RateLimiter plug: the rolling rate truncated.
      auto rolling = static_cast<std::int64_t>(std::trunc(rate->per_second));
      auto limit = static_cast<std::int64_t>(rate->limit);
      res.set(wire::header_rate_rolling, std::to_string(rolling));
      res.set(wire::header_rate_limit, std::to_string(limit));
      res.set(wire::header_rate_remaining, std::to_string(limit - rolling));
    }
    if (!body.empty())
      res.set(http::field::content_type, "application/json; charset=utf-8");
    res.body() = std::move(body);
    reply(std::move(res));
  }

  void refuse(http::status status, std::string_view message) {
    answer(status, message_body(wire::key_message, message));
  }
};

using call_ptr = std::shared_ptr<rest_call>;

void publish(const actors::endpoint_context& ctx, pubsub::broadcast_message msg) {
  ctx.broadcast_events->add();
  caf::anon_send(ctx.pubsub, actors::publish{std::move(msg), std::nullopt, ctx.broadcast_events});
}

pubsub::topic_scope scope_of(bool is_private) {
  return is_private ? pubsub::topic_scope::private_topic : pubsub::topic_scope::public_topic;
}

void publish_batch_message(const actors::endpoint_context& ctx, const protocol::rest_message& m) {
  pubsub::broadcast_message msg;
  msg.topic = std::string{wire::realtime_prefix} + m.topic;
  msg.scope = scope_of(m.is_private);
  msg.event = std::string{wire::broadcast};
  msg.payload_json = protocol::batch_broadcast_payload(m);
  publish(ctx, std::move(msg));
}

// The client whose write permission a private message to `topic` needs; a
// REST request's policies see all of its headers.
db::channel_client client_of(const http_request& req, const protocol::verified_jwt& token,
                             std::string topic) {
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  for (const auto& field : req)
    headers.emplace_back(field.name_string(), field.value());
  return actors::policy_client(std::move(topic), token.role, token.claims,
                               protocol::headers_json(headers));
}

// Asks `client`'s broadcast write permission; `then` runs on the call's
// executor. Without an authorizer (no database) the policies cannot be asked.
void ask_write(const rest_call& call, db::channel_client client,
               std::function<void(actors::permission_answer)> then) {
  auto authorizer = call.ctx->next_authorizer();
  if (!authorizer) {
    actors::permission_answer none;
    none.error = "no database configured";
    boost::asio::post(call.executor, [then = std::move(then), none]() { then(none); });
    return;
  }
  actors::permission_query q;
  q.what = actors::permission_query::access::write;
  q.which = db::extensions::broadcast;
  q.client = std::move(client);
  q.reply = [executor = call.executor, then = std::move(then)](actors::permission_answer a) {
    boost::asio::post(executor, [then, a = std::move(a)]() { then(a); });
  };
  caf::anon_send(authorizer, std::move(q));
}

bool may_write(const actors::permission_answer& a) {
  return a.outcome == actors::permission_outcome::answered
         && a.permissions.broadcast.value_or(false);
}

// Public messages go out at once; private ones per topic once its write
// policy allows them, else they are dropped (Supabase answers 202 all the same).
void serve_batch(const call_ptr& call, const http_request& req,
                 const protocol::verified_jwt& token, std::vector<protocol::rest_message> batch) {
  std::map<std::string, std::vector<protocol::rest_message>> private_topics;
  for (auto& m : batch) {
    if (m.is_private)
      private_topics[m.topic].push_back(std::move(m));
    else
      publish_batch_message(*call->ctx, m);
  }
  if (private_topics.empty())
    return call->answer(http::status::accepted);
  auto pending = std::make_shared<std::size_t>(private_topics.size());
  for (auto& [topic, messages] : private_topics) {
    ask_write(*call, client_of(req, token, topic),
              [call, pending, messages = std::move(messages)](actors::permission_answer a) {
                if (may_write(a))
                  for (const auto& m : messages)
                    publish_batch_message(*call->ctx, m);
                if (--*pending == 0)
                  call->answer(http::status::accepted);
              });
  }
}

void publish_single(const actors::endpoint_context& ctx, const rest_route& route, bool is_private,
                    protocol::user_broadcast_payload payload) {
  pubsub::broadcast_message msg;
  msg.topic = std::string{wire::realtime_prefix} + route.topic;
  msg.scope = scope_of(is_private);
  msg.user = std::move(payload);
  publish(ctx, std::move(msg));
}

// Supabase's SingleBroadcast answers for a private message's check.
void answer_private_single(const call_ptr& call, const rest_route& route,
                           protocol::user_broadcast_payload payload,
                           const actors::permission_answer& a) {
  switch (a.outcome) {
    case actors::permission_outcome::answered:
      if (!may_write(a))
        return call->refuse(http::status::forbidden, wire::rest_unauthorized);
      publish_single(*call->ctx, route, true, std::move(payload));
      return call->answer(http::status::accepted);
    case actors::permission_outcome::policy_error:
      return call->refuse(http::status::unprocessable_entity, wire::rest_policy_error);
    case actors::permission_outcome::unavailable:
      return call->refuse(http::status::unprocessable_entity, wire::rest_database_unavailable);
  }
}

void serve_single(const call_ptr& call, const http_request& req, const rest_route& route,
                  const protocol::verified_jwt& token, protocol::user_broadcast_payload payload) {
  auto url = boost::urls::parse_origin_form(req.target());
  bool is_private = false;
  for (auto param : url->params())
    if (param.key == wire::key_private)
      is_private = param.has_value && param.value == "true";
  if (!is_private) {
    publish_single(*call->ctx, route, false, std::move(payload));
    return call->answer(http::status::accepted);
  }
  ask_write(*call, client_of(req, token, route.topic),
            [call, route, payload = std::move(payload)](actors::permission_answer a) mutable {
              answer_private_single(call, route, std::move(payload), a);
            });
}

void answer_preflight(rest_call& call, const http_request& req) {
  http_response res{http::status::ok, call.version};
  res.set(http::field::access_control_allow_origin, "*");
  res.set(http::field::access_control_allow_methods, allowed_methods);
  auto asked = header(req, "access-control-request-headers");
  res.set(http::field::access_control_allow_headers,
          asked && !asked->empty() ? *asked : default_allowed_headers);
  res.set(http::field::access_control_max_age, preflight_max_age);
  call.reply(std::move(res));
}

} // namespace

std::optional<rest_route> rest_route_of(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url)
    return std::nullopt;
  std::vector<std::string> segments;
  for (auto segment : url->segments())
    if (!segment.empty())
      segments.push_back(std::move(segment));
  return protocol::match_rest_route(segments);
}

http_response rest_body_too_large() {
  http_response res{http::status::payload_too_large, 11};
  res.set(http::field::access_control_allow_origin, "*");
  res.set(http::field::content_type, "application/json; charset=utf-8");
  res.body() = message_body(wire::key_message, wire::rest_too_large);
  return res;
}

void serve_rest_broadcast(std::shared_ptr<const actors::endpoint_context> ctx, http_request req,
                          rest_route route, boost::asio::any_io_executor executor,
                          std::function<void(http_response)> reply) {
  auto call = std::make_shared<rest_call>(
    rest_call{std::move(ctx), std::move(executor), std::move(reply), req.version(), {}});
  if (req.method() == http::verb::options)
    return answer_preflight(*call, req);
  if (req.method() != http::verb::post) {
    http_response res{http::status::method_not_allowed, call->version};
    res.set(http::field::allow, allowed_methods);
    res.set(http::field::access_control_allow_origin, "*");
    res.set(http::field::content_type, "application/json; charset=utf-8");
    res.body() = message_body(wire::key_message, wire::rest_method_not_allowed);
    return call->reply(std::move(res));
  }
  auto& ctx_ref = *call->ctx;
  auto max_payload = ctx_ref.config.max_payload_bytes();
  auto content_type = header(req, "content-type");
  bool single = route.which == rest_route::kind::single;
  // Supabase's order: the body parser, the content type check, the rate
  // limiter, the token, then the controller's validation.
  std::optional<tl::expected<std::vector<protocol::rest_message>, protocol::rest_rejection>> batch;
  std::optional<tl::expected<protocol::user_broadcast_payload, protocol::rest_rejection>> payload;
  if (single) {
    auto type = protocol::single_body_type(content_type);
    if (type == protocol::rest_body_type::unsupported)
      return call->answer(http::status::unsupported_media_type,
                          message_body(wire::key_error, wire::rest_unsupported_media_type));
    payload = protocol::parse_single(type, route.event, req.body(), max_payload);
    if (!*payload && payload->error().status == 400)
      return call->answer(http::status::bad_request, payload->error().body);
  } else {
    batch = protocol::parse_batch(content_type, req.body(), max_payload);
    if (!*batch && batch->error().status == 400)
      return call->answer(http::status::bad_request, batch->error().body);
  }
  call->rate = rate_seen{ctx_ref.broadcast_events->per_second(), ctx_ref.config.max_events_per_second};
  if (protocol::check_rest_rate(call->rate->per_second, call->rate->limit, 0)
      != protocol::rest_rate_verdict::ok)
    return call->refuse(http::status::too_many_requests, wire::rest_too_many_requests);
  auto token = protocol::rest_token(header(req, "authorization"), header(req, "apikey"));
  auto verified = protocol::verify_jwt(token.value_or(""), ctx_ref.jwt, unix_now());
  if (!token || !verified)
    return call->refuse(http::status::unauthorized, wire::rest_unauthorized);
  if (single) {
    if (!*payload)
      return call->answer(http::status::unprocessable_entity, payload->error().body);
    return serve_single(call, req, route, *verified, std::move(**payload));
  }
  if (!*batch)
    return call->answer(http::status::unprocessable_entity, batch->error().body);
  if (protocol::check_rest_rate(call->rate->per_second, call->rate->limit, (*batch)->size())
      != protocol::rest_rate_verdict::ok)
    return call->refuse(http::status::too_many_requests, wire::rest_batch_too_large);
  serve_batch(call, req, *verified, std::move(**batch));
}

} // namespace rt::server
