#include "rt/server/http_session.hpp"

#include <algorithm>
#include <chrono>

#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include "rt/protocol/ascii.hpp"
#include "rt/protocol/events.hpp"
#include "rt/protocol/handshake.hpp"
#include "rt/protocol/json_text.hpp"
#include "rt/protocol/jwt.hpp"
#include "rt/protocol/rest_broadcast.hpp"
#include "rt/protocol/vsn.hpp"
#include "rt/server/rest_broadcast.hpp"
#include "rt/server/ws_session.hpp"

namespace rt::server {

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace wire = protocol::wire;

// A client gets this long to send its request (after a keep-alive answer:
// the next one).
constexpr auto request_deadline = std::chrono::seconds{10};
// Bodies of requests other than REST broadcasts.
constexpr std::size_t max_request_body = 64 * 1024;
// A REST request waiting longer for its permission checks loses its connection.
constexpr auto rest_deadline = std::chrono::seconds{30};
// Cowboy's max_keepalive: requests served on one kept-alive connection.
constexpr std::size_t max_keepalive_requests = 1000;
// How long a refused request's unread body is read and dropped before closing.
constexpr auto linger_deadline = std::chrono::seconds{2};

bool is_websocket_path(std::string_view path) {
  return path == "/socket/websocket" || path == "/realtime/v1/websocket";
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

// Supabase's HTTP answer to a refused socket token.
std::pair<http::status, std::string> connect_refusal(const protocol::jwt_failure& f) {
  using protocol::errc;
  switch (f.code) {
    case errc::jwt_expired: return {http::status::unauthorized, std::string{wire::msg_token_expired}};
    case errc::jwt_invalid_claims:
      return {http::status::internal_server_error, std::string{wire::msg_connect_error}};
    default: return {http::status::unauthorized, protocol::jwt_failure_message(f)};
  }
}

// The `apikey` query parameter, or the x-api-key header, which wins.
std::optional<std::string> socket_token(const http::request<http::string_body>& req,
                                        const boost::urls::url_view& url) {
  if (auto it = req.find("x-api-key"); it != req.end())
    return std::string{it->value()};
  auto params = url.params();
  if (auto it = params.find("apikey"); it != params.end() && (*it).has_value)
    return std::string{(*it).value};
  return std::nullopt;
}

std::optional<std::string_view> query_vsn(const boost::urls::url_view& url,
                                          std::string& storage) {
  auto params = url.params();
  auto it = params.find("vsn");
  if (it == params.end())
    return std::nullopt;
  storage = (*it).value;
  return std::string_view{storage};
}

// A WebSocket's `x-*` headers, which private channels' policies see as
// request.headers (Supabase passes those only).
std::string x_headers_json(const http::request<http::string_body>& req) {
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  for (const auto& field : req) {
    auto name = field.name_string();
    if (name.size() >= 2 && protocol::ascii_lower(name[0]) == 'x' && name[1] == '-')
      headers.emplace_back(name, field.value());
  }
  return protocol::headers_json(headers);
}

bool is_upgrade_request(const http::request<http::string_body>& req) {
  return req.method() == http::verb::get
         && protocol::header_lists(req[http::field::connection], "upgrade")
         && protocol::header_lists(req[http::field::upgrade], "websocket")
         && protocol::valid_websocket_key(req[http::field::sec_websocket_key]);
}

} // namespace

http_session::http_session(std::shared_ptr<runtime> rt, io_shard& shard,
                           asio::ip::tcp::socket socket)
  : rt_(std::move(rt)), shard_(shard), socket_(std::move(socket)),
    timer_(socket_.get_executor()) {}

http_session::~http_session() {
  rt_->remove(this);
}

void http_session::shut_down_now() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->timer_.cancel();
    self->socket_.close(ignored);
  });
}

void http_session::close_after(std::chrono::steady_clock::duration deadline) {
  timer_.expires_after(deadline);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) {
      boost::system::error_code ignored;
      self->socket_.close(ignored);
    }
  });
}

void http_session::start() {
  rt_->add(this, std::weak_ptr<tracked_connection>{shared_from_this()});
  read_request();
}

void http_session::read_request() {
  auto& cfg = rt_->ctx->config;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(cfg.max_header_bytes));
  // The limit of the route, once the head names it (on_header).
  parser_->body_limit(std::max(max_request_body, cfg.max_rest_body_bytes));
  rest_route_.reset();
  close_after(request_deadline);
  http::async_read_header(socket_, buffer_, *parser_,
                          [self = shared_from_this()](const boost::system::error_code& ec,
                                                      std::size_t) { self->on_header(ec); });
}

void http_session::on_header(const boost::system::error_code& ec) {
  if (ec)
    return read_failed(ec);
  rest_route_ = rest_route_of(parser_->get().target());
  auto limit = rest_route_ ? rt_->ctx->config.max_rest_body_bytes : max_request_body;
  parser_->body_limit(limit);
  if (parser_->content_length().value_or(0) > limit)
    return read_failed(http::error::body_limit);
  http::async_read(socket_, buffer_, *parser_,
                   [self = shared_from_this()](const boost::system::error_code& ec,
                                               std::size_t) { self->on_read(ec); });
}

void http_session::on_read(const boost::system::error_code& ec) {
  timer_.cancel();
  if (ec)
    return read_failed(ec);
  route(parser_->get());
}

void http_session::read_failed(const boost::system::error_code& ec) {
  timer_.cancel();
  if (ec == http::error::header_limit)
    return refuse(http::status::request_header_fields_too_large, "Request header too large",
                  false);
  if (ec == http::error::body_limit) {
    linger_ = true;
    if (rest_route_ || rest_route_of(parser_->get().target()))
      return respond(rest_body_too_large(), false);
    return refuse(http::status::payload_too_large, "Request body too large", false);
  }
  // A kept-alive connection the client closes between requests ends here.
  if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted)
    return;
  spdlog::debug("bad HTTP request: {}", ec.message());
  refuse(http::status::bad_request, "Bad request", false);
}

void http_session::serve_rest(protocol::rest_route route) {
  auto req = parser_->release();
  rest_keep_alive_ = req.keep_alive();
  close_after(rest_deadline);
  serve_rest_broadcast(rt_->ctx, std::move(req), std::move(route), socket_.get_executor(),
                       [self = shared_from_this()](http_response res) {
                         self->answer_rest(std::move(res));
                       });
}

void http_session::answer_rest(response res) {
  timer_.cancel();
  if (!socket_.is_open())
    return;
  keep_open_ = rest_keep_alive_ && ++requests_ < max_keepalive_requests;
  res.keep_alive(keep_open_);
  res.prepare_payload();
  response_ = std::move(res);
  write_response();
}

namespace {

// Prometheus text exposition of the node's figures.
std::string metrics_text(const actors::endpoint_context& ctx) {
  const auto& m = *ctx.changes_metrics;
  std::string out;
  auto metric = [&out](std::string_view type, std::string_view name, std::string_view help,
                       auto value) {
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
    out.append(name).append(" ").append(std::to_string(value)).append("\n");
  };
  auto gauge = [&metric](auto... args) { metric("gauge", args...); };
  auto counter = [&metric](auto... args) { metric("counter", args...); };
  gauge("realtime_connections", "Open client WebSockets", ctx.connections.load());
  gauge("realtime_cluster_members", "Other nodes of the cluster connected to this one",
        ctx.cluster_members->load());
  gauge("realtime_replication_streaming", "1 while the replication stream runs",
        m.streaming.load() ? 1 : 0);
  gauge("realtime_replication_slot_owner", "1 while this node streams the slot itself",
        m.owner.load() ? 1 : 0);
  gauge("realtime_replication_slot_retained_wal_bytes",
        "WAL the replication slot holds back (-1 until measured)", m.retained_wal_bytes.load());
  gauge("realtime_replication_confirmed_lsn", "Position last confirmed to PostgreSQL",
        m.confirmed_lsn.load());
  counter("realtime_postgres_changes_total", "Row changes read from the stream",
          m.changes.load());
  counter("realtime_postgres_changes_deliveries_total", "Change messages queued to clients",
        m.deliveries.load());
  return out;
}

} // namespace

void http_session::route(const request& req) {
  if (rest_route_)
    return serve_rest(std::move(*rest_route_));
  auto url = boost::urls::parse_origin_form(req.target());
  if (!url)
    return refuse(http::status::bad_request, "Bad request target", false);
  auto path = url->path();
  if (is_websocket_path(path))
    return upgrade(req);
  if (path == "/healthcheck" && req.method() == http::verb::get) {
    response res{http::status::ok, 11};
    res.set(http::field::content_type, "text/plain");
    res.body() = "ok";
    return respond(std::move(res), false);
  }
  if (path == "/metrics" && req.method() == http::verb::get) {
    response res{http::status::ok, 11};
    res.set(http::field::content_type, "text/plain; version=0.0.4");
    res.body() = metrics_text(*rt_->ctx);
    return respond(std::move(res), false);
  }
  refuse(http::status::not_found, "Not found", false);
}

void http_session::upgrade(const request& req) {
  if (!is_upgrade_request(req))
    return refuse(http::status::bad_request, "WebSocket upgrade required", false);
  if (req[http::field::sec_websocket_version] != "13") {
    response res{http::status::upgrade_required, 11};
    res.set(http::field::sec_websocket_version, "13");
    return respond(std::move(res), false);
  }
  auto url = *boost::urls::parse_origin_form(req.target());
  std::string vsn_text;
  auto version = protocol::negotiate_vsn(query_vsn(url, vsn_text));
  if (!version) {
    response res{http::status::forbidden, 11};
    return respond(std::move(res), false);
  }
  auto token = socket_token(req, url);
  if (!token)
    return refuse(http::status::unauthorized, wire::msg_api_key_missing, true);
  auto& ctx = *rt_->ctx;
  auto verified = protocol::verify_jwt(*token, ctx.jwt, unix_now());
  if (!verified) {
    auto [status, message] = connect_refusal(verified.error());
    return refuse(status, message, true);
  }
  if (ctx.joins.saturated())
    return refuse(http::status::too_many_requests, wire::msg_too_many_joins, true);
  if (ctx.connections.fetch_add(1) >= ctx.config.max_connections) {
    ctx.connections.fetch_sub(1);
    return refuse(http::status::too_many_requests, wire::msg_too_many_users, true);
  }
  accept_upgrade(socket_info{*version, std::move(*token), std::move(verified->claims),
                             x_headers_json(req)});
}

void http_session::accept_upgrade(socket_info info) {
  auto& req = parser_->get();
  upgrade_response_ = "HTTP/1.1 101 Switching Protocols\r\n"
                      "Upgrade: websocket\r\n"
                      "Connection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: ";
  upgrade_response_.append(
    protocol::websocket_accept(req[http::field::sec_websocket_key]));
  upgrade_response_.append("\r\n\r\n");
  // From here on the connection counts as open; the ws_session releases it.
  auto session = std::make_shared<ws_session>(rt_, shard_, std::move(socket_));
  asio::async_write(session->socket(), asio::buffer(upgrade_response_),
                    [self = shared_from_this(), session, info = std::move(info)](
                      const boost::system::error_code& ec, std::size_t) mutable {
                      if (ec)
                        return; // the session's destructor releases the slot
                      auto rest = self->buffer_.data();
                      session->start(std::move(info),
                                     {static_cast<const char*>(rest.data()), rest.size()});
                    });
}

void http_session::refuse(http::status status, std::string_view message, bool delayed) {
  response res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.body() = R"({"error":)" + protocol::json_string(message) + "}";
  respond(std::move(res), delayed);
}

void http_session::respond(response res, bool delayed) {
  keep_open_ = false;
  res.set(http::field::connection, "close");
  res.prepare_payload();
  response_ = std::move(res);
  auto backoff = rt_->ctx->config.connect_error_backoff;
  if (!delayed || backoff.count() <= 0)
    return write_response();
  timer_.expires_after(backoff);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec)
      self->write_response();
  });
}

void http_session::write_response() {
  http::async_write(socket_, response_,
                    [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                      if (!ec && self->keep_open_)
                        return self->read_request();
                      boost::system::error_code ignored;
                      self->socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
                      if (!ec && self->linger_)
                        return self->drain_and_close();
                      self->socket_.close(ignored);
                    });
}

void http_session::drain_and_close() {
  // Closing with unread bytes would reset the connection, and the client
  // could lose the answer; so what it still sends is read and dropped first.
  close_after(linger_deadline);
  drain();
}

void http_session::drain() {
  buffer_.clear();
  socket_.async_read_some(buffer_.prepare(16 * 1024),
                          [self = shared_from_this()](const boost::system::error_code& ec,
                                                      std::size_t) {
                            if (!ec)
                              return self->drain();
                            self->timer_.cancel();
                            boost::system::error_code ignored;
                            self->socket_.close(ignored);
                          });
}

} // namespace rt::server
