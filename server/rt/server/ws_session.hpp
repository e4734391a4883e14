#pragma once

// One upgraded WebSocket connection. After the HTTP upgrade the session speaks
// RFC 6455 itself (protocol::ws_reader in, pre-encoded wire frames out), so a
// broadcast frame encoded once is written to every socket unchanged and a
// backlog of frames leaves in one gather write.
//
// Threads: the read loop, timers and writes run on the session's I/O thread;
// send(), close() and consumed() may be called from any thread (actors).
// Outbound frames wait in a byte-bounded queue; a client that lets it fill up
// is disconnected with 1008.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <caf/actor.hpp>

#include "rt/channel.hpp"
#include "rt/connection_sink.hpp"
#include "rt/protocol/ws_reader.hpp"
#include "rt/pubsub/outbound_queue.hpp"
#include "rt/server/runtime.hpp"

namespace rt::server {

class ws_session final : public connection_sink,
                         public tracked_connection,
                         public std::enable_shared_from_this<ws_session> {
public:
  /// Takes over `socket`, already upgraded with a 101 response.
  /// Takes over `socket`, whose executor is `shard`'s io_context.
  ws_session(std::shared_ptr<runtime> rt, io_shard& shard, boost::asio::ip::tcp::socket socket);
  ~ws_session() override;

  /// Spawns the socket actor and starts reading. `already_read` holds bytes
  /// the HTTP parser read beyond the upgrade request. I/O thread only.
  void start(socket_info info, std::string_view already_read);

  /// The TCP socket, for writing the 101 response before start().
  boost::asio::ip::tcp::socket& socket() noexcept { return socket_; }

  bool send(protocol::shared_frame frame) override;
  receipt send_tracked(protocol::shared_frame frame) override;
  bool flushed_through(std::uint64_t mark) const override;
  std::size_t queued_bytes() const override;
  std::size_t max_queued_bytes() const override { return queue_.max_bytes(); }
  void close(std::uint16_t code, std::string reason) override;
  void consumed() override;

  void close_gracefully(std::uint16_t code, const std::string& reason) override;
  void shut_down_now() override;

private:
  // -- reading (I/O thread) --
  void wait_readable();
  void on_readable();
  bool feed(std::string_view bytes);
  bool dispatch(protocol::ws_event& ev);
  void deliver_message(protocol::ws_event& ev);
  void resume_reading();
  bool over_inbound_limit() const;

  // -- writing --
  void kick_writer();
  bool refill_pending();
  void consume_pending(std::size_t written);
  void wait_writable();

public:
  /// Writes what is queued (I/O thread; called by the shard's drain).
  void write_next();

private:

  // -- lifetime --
  void arm_idle_timer();
  void on_idle_timer();
  void after_close_sent();
  void arm_close_deadline();
  void fail(const char* what, const boost::system::error_code& ec);
  void finish();

  std::shared_ptr<runtime> rt_; // first member: destroyed after the socket
  io_shard& shard_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer idle_timer_;
  protocol::vsn version_ = protocol::vsn::v2;
  protocol::ws_reader reader_;
  std::vector<protocol::ws_event> events_;
  caf::actor actor_;
  std::chrono::steady_clock::time_point last_activity_;
  bool peer_closed_ = false;
  bool finished_ = false;
  bool close_sent_ = false;
  // Inbound flow control, shared with the actor calling consumed().
  std::atomic<std::size_t> inbound_pending_{0};
  std::atomic<bool> reading_paused_{false};
  std::atomic<bool> resume_posted_{false};
  std::atomic<bool> done_{false}; // finish() ran: nothing may be posted any more

  // Guarded by mutex_: shared with the threads that call send()/close().
  mutable std::mutex mutex_;
  pubsub::outbound_queue queue_;
  std::optional<protocol::shared_frame> close_frame_;
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
  std::uint64_t frames_queued_ = 0; // ever accepted: the mark of the last one

  // Frames ever written whole (I/O thread writes, producers read).
  std::atomic<std::uint64_t> frames_written_{0};

  // Frames taken from the queue and not fully written yet (I/O thread).
  std::vector<protocol::shared_frame> pending_;
  std::size_t pending_offset_ = 0; // bytes of pending_.front() already written
  std::vector<boost::asio::const_buffer> buffers_;
  bool close_pending_ = false;
};

} // namespace rt::server
