#include "rt/server/runtime.hpp"

namespace rt::server {

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
