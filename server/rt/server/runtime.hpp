#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <caf/fwd.hpp>

#include "rt/actors/endpoint_context.hpp"

namespace rt::server {

/// A connection the endpoint can end when it stops.
class tracked_connection {
public:
  virtual ~tracked_connection() = default;
  /// Starts a graceful close with `code` (WebSocket) or does nothing (HTTP).
  virtual void close_gracefully(std::uint16_t code, const std::string& reason) = 0;
  /// Closes the socket and cancels its operations now. Any thread.
  virtual void shut_down_now() = 0;
};

class ws_session;

/// One network thread with its own io_context: a connection lives on one
/// thread, so its handlers never run concurrently and need no strand.
struct io_shard {
  boost::asio::io_context io{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
    io.get_executor()};
  std::thread thread;

  /// Queues `s` to write on this shard's thread. Any thread. However many
  /// sessions a fan-out wakes, the shard gets one job per burst.
  void schedule(std::shared_ptr<ws_session> s);

  /// Forgets scheduled sessions; after the thread has ended.
  void forget_scheduled();

private:
  void drain();

  std::mutex ready_mutex_;
  std::vector<std::shared_ptr<ws_session>> ready_;
  std::vector<std::shared_ptr<ws_session>> draining_; // I/O thread only
  bool drain_posted_ = false;
};

/// What every connection of one endpoint shares. Each session holds it by
/// shared pointer, so the io_contexts outlive every socket.
struct runtime {
  runtime(caf::actor_system& sys, std::shared_ptr<actors::endpoint_context> context)
    : system(sys), ctx(std::move(context)) {}

  caf::actor_system& system;
  std::shared_ptr<actors::endpoint_context> ctx;
  std::vector<std::unique_ptr<io_shard>> shards;

  /// Open connections, so a shutdown can end them all.
  void add(tracked_connection* c, std::weak_ptr<tracked_connection> handle);
  void remove(tracked_connection* c);
  /// Asks every open connection to close with `code`.
  void close_all(std::uint16_t code, const std::string& reason);
  /// Closes every open connection's socket at once.
  void shut_down_all();

private:
  std::vector<std::shared_ptr<tracked_connection>> open_connections();

  std::mutex mutex_;
  std::unordered_map<tracked_connection*, std::weak_ptr<tracked_connection>> connections_;
};

} // namespace rt::server
