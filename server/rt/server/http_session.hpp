#pragma once

// One accepted TCP connection until it becomes a WebSocket or gets its HTTP
// answer. Routes:
//   GET /socket/websocket, /realtime/v1/websocket   WebSocket upgrade
//   GET /healthcheck                                200 "ok"
//   anything else                                   404
// Upgrade refusals follow Phoenix and Supabase Realtime: 403 for an unknown
// vsn; 401 / 429 / 500 with {"error": message} for token and limit problems,
// answered only after CONNECT_ERROR_BACKOFF_MS.

#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "rt/channel.hpp"
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

  void on_read(const boost::system::error_code& ec);
  void route(const request& req);
  void upgrade(const request& req);
  void accept_upgrade(socket_info info);
  void refuse(boost::beast::http::status status, std::string_view message, bool delayed);
  void respond(response res, bool delayed);
  void write_response();

  std::shared_ptr<runtime> rt_;
  io_shard& shard_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  boost::beast::http::request_parser<boost::beast::http::string_body> parser_;
  response response_;
  std::string upgrade_response_;
};

} // namespace rt::server
