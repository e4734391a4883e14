#include "rt/server/ws_session.hpp"

#include <array>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "rt/actors/messages.hpp"
#include "rt/actors/socket_actor.hpp"
#include "rt/protocol/decode.hpp"
#include "rt/protocol/events.hpp"

namespace rt::server {

namespace {

namespace asio = boost::asio;
using protocol::ws_event;
namespace wire = protocol::wire;


// Frames and bytes handed to one gather write (Asio passes at most 64 buffers).
constexpr std::size_t write_batch_frames = 64;
constexpr std::size_t write_batch_bytes = 256 * 1024;
constexpr int max_write_rounds = 8;
// How long a closing connection waits for the client to end TCP.
constexpr auto close_linger = std::chrono::seconds{2};
// How long a close may wait behind unwritten frames (a client that does not
// read) before the socket is dropped without it.
constexpr auto close_write_deadline = std::chrono::seconds{5};

// One receive buffer per I/O thread: idle sockets hold no read buffer.
thread_local std::array<char, 64 * 1024> receive_buffer;

std::uint16_t close_code_for(protocol::errc e) {
  switch (e) {
    case protocol::errc::ws_message_too_big: return wire::close_too_big;
    case protocol::errc::ws_invalid_utf8: return wire::close_invalid_data;
    default: return wire::close_protocol_error;
  }
}

} // namespace

ws_session::ws_session(std::shared_ptr<runtime> rt, io_shard& shard,
                       asio::ip::tcp::socket socket)
  : rt_(std::move(rt)),
    shard_(shard),
    socket_(std::move(socket)),
    idle_timer_(socket_.get_executor()),
    reader_(rt_->ctx->config.max_frame_bytes),
    queue_(rt_->ctx->config.max_outbound_bytes) {}

ws_session::~ws_session() {
  rt_->remove(this);
  rt_->ctx->connections.fetch_sub(1);
}

void ws_session::start(socket_info info, std::string_view already_read) {
  version_ = info.version;
  boost::system::error_code ec;
  socket_.non_blocking(true, ec);
  socket_.set_option(asio::ip::tcp::no_delay{true}, ec);
  rt_->add(this, std::weak_ptr<tracked_connection>{shared_from_this()});
  actor_ = actors::spawn_socket(rt_->system, rt_->ctx, shared_from_this(), std::move(info));
  last_activity_ = std::chrono::steady_clock::now();
  arm_idle_timer();
  if (!already_read.empty() && !feed(already_read))
    return;
  wait_readable();
}

// -- reading ----------------------------------------------------------------------

bool ws_session::over_inbound_limit() const {
  return inbound_pending_.load() >= rt_->ctx->config.max_inbound_pending;
}

void ws_session::wait_readable() {
  if (finished_ || peer_closed_)
    return;
  if (over_inbound_limit()) {
    // Publish the pause before re-checking, so consumed() either sees it or
    // this re-check sees its decrement.
    reading_paused_.store(true);
    if (over_inbound_limit())
      return;
    reading_paused_.store(false);
  }
  socket_.async_wait(asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                       if (ec)
                         return self->fail("wait", ec);
                       self->on_readable();
                     });
}

void ws_session::on_readable() {
  for (;;) {
    boost::system::error_code ec;
    auto n = socket_.read_some(asio::buffer(receive_buffer), ec);
    if (ec == asio::error::would_block)
      break;
    if (ec)
      return fail("read", ec);
    last_activity_ = std::chrono::steady_clock::now();
    if (!feed({receive_buffer.data(), n}))
      return;
    if (n < receive_buffer.size() || peer_closed_ || over_inbound_limit())
      break;
  }
  wait_readable();
}

bool ws_session::feed(std::string_view bytes) {
  events_.clear();
  auto fed = reader_.feed(bytes, events_);
  for (auto& ev : events_)
    if (!dispatch(ev))
      return false;
  if (!fed) {
    close(close_code_for(fed.error()), std::string{protocol::to_string(fed.error())});
    return false;
  }
  return true;
}

bool ws_session::dispatch(ws_event& ev) {
  switch (ev.type) {
    case ws_event::kind::text:
    case ws_event::kind::binary:
      deliver_message(ev);
      return !peer_closed_;
    case ws_event::kind::ping:
      send(std::make_shared<const protocol::wire_frame>(
        protocol::make_frame(protocol::opcode::pong, ev.payload)));
      return true;
    case ws_event::kind::pong:
      return true;
    case ws_event::kind::close:
      peer_closed_ = true;
      close(ev.close_code == wire::close_no_status ? wire::close_normal : ev.close_code, {});
      return false;
  }
  return true;
}

void ws_session::deliver_message(ws_event& ev) {
  auto decoded = ev.type == ws_event::kind::text
                   ? protocol::decode_text(version_, ev.payload)
                   : protocol::decode_binary(version_, ev.payload);
  actors::inbound in;
  if (decoded) {
    in.content = std::move(*decoded);
  } else {
    auto code = decoded.error().code;
    if (code == protocol::errc::binary_not_supported
        || code == protocol::errc::unknown_binary_kind) {
      peer_closed_ = true; // stop reading: the connection is over
      close(wire::close_unsupported, std::string{protocol::to_string(code)});
      return;
    }
    in.content = std::move(decoded.error());
  }
  inbound_pending_.fetch_add(1);
  caf::anon_send(actor_, std::move(in));
}

void ws_session::consumed() {
  auto left = inbound_pending_.fetch_sub(1) - 1;
  if (left < rt_->ctx->config.max_inbound_pending && reading_paused_.load()
      && !done_.load() && !resume_posted_.exchange(true))
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->resume_reading(); });
}

void ws_session::resume_reading() {
  resume_posted_.store(false);
  if (reading_paused_.exchange(false))
    wait_readable();
}

// -- writing ----------------------------------------------------------------------

bool ws_session::send(protocol::shared_frame frame) {
  return send_tracked(std::move(frame)).accepted;
}

connection_sink::receipt ws_session::send_tracked(protocol::shared_frame frame) {
  std::unique_lock guard{mutex_};
  if (closing_ || closed_)
    return {};
  if (!queue_.push(std::move(frame))) {
    // A slow consumer will not read what is queued: drop it and close.
    queue_.clear();
    guard.unlock();
    spdlog::warn("closing slow consumer: more than {} bytes queued", queue_.max_bytes());
    close(wire::close_policy, std::string{wire::reason_slow_consumer});
    return {};
  }
  receipt r{true, ++frames_queued_, queue_.bytes()};
  if (writing_)
    return r;
  writing_ = true;
  guard.unlock();
  kick_writer();
  return r;
}

bool ws_session::flushed_through(std::uint64_t mark) const {
  if (frames_written_.load() >= mark)
    return true;
  std::lock_guard guard{mutex_};
  return closing_ || closed_;
}

std::size_t ws_session::queued_bytes() const {
  std::lock_guard guard{mutex_};
  return closing_ || closed_ ? 0 : queue_.bytes();
}

void ws_session::close(std::uint16_t code, std::string reason) {
  std::unique_lock guard{mutex_};
  if (closing_ || closed_)
    return;
  closing_ = true;
  close_frame_ = std::make_shared<const protocol::wire_frame>(
    protocol::make_close_frame(code, reason));
  if (!done_.load())
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->arm_close_deadline(); });
  if (writing_)
    return;
  writing_ = true;
  guard.unlock();
  kick_writer();
}

void ws_session::kick_writer() {
  shard_.schedule(shared_from_this());
}

bool ws_session::refill_pending() {
  std::lock_guard guard{mutex_};
  if (closed_) {
    writing_ = false;
    return false;
  }
  queue_.take(pending_, write_batch_frames, write_batch_bytes);
  if (pending_.empty() && close_frame_) {
    pending_.push_back(std::move(*close_frame_));
    close_frame_.reset();
    close_pending_ = true;
  }
  if (pending_.empty())
    writing_ = false;
  return !pending_.empty();
}

// Drops what `written` bytes completed from the front of pending_.
void ws_session::consume_pending(std::size_t written) {
  std::size_t done = 0;
  while (done < pending_.size()) {
    auto left = pending_[done]->size() - pending_offset_;
    if (written < left) {
      pending_offset_ += written;
      break;
    }
    written -= left;
    pending_offset_ = 0;
    ++done;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(done));
  frames_written_.fetch_add(done);
}

void ws_session::write_next() {
  // A busy socket yields after a few batches so its shard serves the others.
  for (int round = 0; round < max_write_rounds; ++round) {
    if (pending_.empty() && !refill_pending())
      return;
    buffers_.clear();
    for (auto& f : pending_) {
      auto bytes = f->bytes();
      auto skip = buffers_.empty() ? pending_offset_ : 0;
      buffers_.emplace_back(bytes.data() + skip, bytes.size() - skip);
    }
    boost::system::error_code ec;
    // Non-blocking gather write: one syscall for the whole backlog.
    auto n = socket_.write_some(buffers_, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again)
      return wait_writable();
    if (ec)
      return fail("write", ec);
    consume_pending(n);
    if (pending_.empty() && close_pending_)
      return after_close_sent();
  }
  kick_writer();
}

void ws_session::wait_writable() {
  socket_.async_wait(asio::ip::tcp::socket::wait_write,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                       if (ec)
                         return self->fail("wait write", ec);
                       self->write_next();
                     });
}

// -- lifetime ---------------------------------------------------------------------

void ws_session::arm_close_deadline() {
  if (finished_ || close_sent_)
    return;
  idle_timer_.expires_after(close_write_deadline);
  idle_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec)
      self->finish();
  });
}

void ws_session::after_close_sent() {
  close_sent_ = true;
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  if (peer_closed_)
    return finish();
  // Give the client a moment to answer the close and end TCP itself.
  idle_timer_.expires_after(close_linger);
  idle_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec)
      self->finish();
  });
}

void ws_session::arm_idle_timer() {
  auto idle = rt_->ctx->config.idle_timeout;
  idle_timer_.expires_at(last_activity_ + idle);
  idle_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec)
      self->on_idle_timer();
  });
}

void ws_session::on_idle_timer() {
  {
    std::lock_guard guard{mutex_};
    if (closing_ || closed_)
      return;
  }
  if (std::chrono::steady_clock::now() - last_activity_ >= rt_->ctx->config.idle_timeout) {
    close(wire::close_normal, std::string{wire::reason_idle_timeout});
    return;
  }
  arm_idle_timer();
}

void ws_session::fail(const char* what, const boost::system::error_code& ec) {
  if (ec != asio::error::operation_aborted && ec != asio::error::eof
      && ec != asio::error::connection_reset)
    spdlog::debug("connection {} failed: {}", what, ec.message());
  finish();
}

void ws_session::close_gracefully(std::uint16_t code, const std::string& reason) {
  close(code, reason);
}

void ws_session::shut_down_now() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->finish(); });
}

void ws_session::finish() {
  if (finished_)
    return;
  finished_ = true;
  done_ = true;
  {
    std::lock_guard guard{mutex_};
    closed_ = true;
    queue_.clear();
    close_frame_.reset();
  }
  boost::system::error_code ignored;
  idle_timer_.cancel();
  socket_.close(ignored);
  if (actor_)
    caf::anon_send(actor_, actors::closed_atom::value);
}

} // namespace rt::server
