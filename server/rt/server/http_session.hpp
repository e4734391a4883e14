#pragma once

// One accepted TCP connection until it becomes a WebSocket or gets its HTTP
// answer. Routes:
//   GET /socket/websocket, /realtime/v1/websocket   WebSocket upgrade
//   GET /healthcheck                                200 "ok"
//   GET /metrics                                    Prometheus text
//   [/realtime/v1]/api/broadcast[/:topic/events/:event]
//                                                   REST broadcast (rest_broadcast.hpp)
//   anything else                                   404
// Upgrade refusals follow Phoenix and Supabase Realtime: 403 for an unknown
// vsn; 401 / 429 / 500 with {"error": message} for token and limit problems,
// answered only after CONNECT_ERROR_BACKOFF_MS.
//
// Request bodies may carry 64 KiB, REST broadcasts REST_MAX_BODY_BYTES (413
// beyond). Only REST answers keep the connection open (HTTP/1.1 keep-alive,
// at most max_keepalive_requests per connection, each request head due
// within request_deadline of the previous answer); every other answer closes it.

#include <chrono>
#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "rt/channel.hpp"
#include "rt/protocol/rest_broadcast.hpp"
#include "rt/server/runtime.hpp"

namespace rt::server {

class http_session final : public tracked_connection,
                           public std::enable_shared_from_this<http_session> {
public:
  /// `socket` runs on `shard`'s io_context.
  http_session(std::shared_ptr<runtime> rt, io_shard& shard, boost::asio::ip::tcp::socket socket);
  ~http_session() override;

  void close_gracefully(std::uint16_t, const std::string&) override {}
  void shut_down_now() override;

  /// Reads the request and answers or upgrades. I/O thread only.
  void start();

private:
  using request = boost::beast::http::request<boost::beast::http::string_body>;
  using response = boost::beast::http::response<boost::beast::http::string_body>;

  /// Closes the socket unless the timer is set again or cancelled before.
  void close_after(std::chrono::steady_clock::duration deadline);
  void read_request();
  void on_header(const boost::system::error_code& ec);
  void on_read(const boost::system::error_code& ec);
  /// Answers a failed read, or ends the connection quietly.
  void read_failed(const boost::system::error_code& ec);
  void route(const request& req);
  void serve_rest(protocol::rest_route route);
  void answer_rest(response res);
  void upgrade(const request& req);
  void accept_upgrade(socket_info info);
  void refuse(boost::beast::http::status status, std::string_view message, bool delayed);
  void respond(response res, bool delayed);
  void write_response();
  void drain_and_close();
  void drain();

  std::shared_ptr<runtime> rt_;
  io_shard& shard_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  // One parser per request (Beast's parsers are single use).
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::optional<protocol::rest_route> rest_route_;
  response response_;
  std::string upgrade_response_;
  // Requests answered on this connection, and whether the one being answered
  // keeps it open.
  std::size_t requests_ = 0;
  bool rest_keep_alive_ = false;
  bool keep_open_ = false;
  // Set when the request's body was left unread (413).
  bool linger_ = false;
};

} // namespace rt::server
