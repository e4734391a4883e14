#include "rt/server/runtime.hpp"

#include <boost/asio/post.hpp>

#include "rt/server/ws_session.hpp"

namespace rt::server {

void io_shard::schedule(std::shared_ptr<ws_session> s) {
  {
    std::lock_guard guard{ready_mutex_};
    ready_.push_back(std::move(s));
    if (drain_posted_)
      return;
    drain_posted_ = true;
  }
  boost::asio::post(io, [this] { drain(); });
}

void io_shard::drain() {
  {
    std::lock_guard guard{ready_mutex_};
    draining_.swap(ready_);
    drain_posted_ = false;
  }
  for (auto& s : draining_)
    s->write_next();
  draining_.clear();
}

void io_shard::forget_scheduled() {
  std::lock_guard guard{ready_mutex_};
  ready_.clear();
}

void runtime::add(tracked_connection* c, std::weak_ptr<tracked_connection> handle) {
  std::lock_guard guard{mutex_};
  connections_.emplace(c, std::move(handle));
}

void runtime::remove(tracked_connection* c) {
  std::lock_guard guard{mutex_};
  connections_.erase(c);
}

std::vector<std::shared_ptr<tracked_connection>> runtime::open_connections() {
  std::vector<std::shared_ptr<tracked_connection>> open;
  std::lock_guard guard{mutex_};
  for (auto& [ptr, weak] : connections_)
    if (auto c = weak.lock())
      open.push_back(std::move(c));
  return open;
}

void runtime::close_all(std::uint16_t code, const std::string& reason) {
  for (auto& c : open_connections())
    c->close_gracefully(code, reason);
}

void runtime::shut_down_all() {
  for (auto& c : open_connections())
    c->shut_down_now();
}

} // namespace rt::server
