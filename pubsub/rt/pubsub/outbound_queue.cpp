#include "rt/pubsub/outbound_queue.hpp"

namespace rt::pubsub {

bool outbound_queue::push(protocol::shared_frame frame) {
  auto size = frame->size();
  if (!frames_.empty() && bytes_ + size > max_bytes_)
    return false;
  bytes_ += size;
  frames_.push_back(std::move(frame));
  return true;
}

void outbound_queue::take(std::vector<protocol::shared_frame>& batch,
                          std::size_t max_frames, std::size_t max_bytes) {
  std::size_t taken_bytes = 0;
  std::size_t taken = 0;
  while (!frames_.empty() && taken < max_frames) {
    auto size = frames_.front()->size();
    if (taken > 0 && taken_bytes + size > max_bytes)
      break;
    taken_bytes += size;
    bytes_ -= size;
    batch.push_back(std::move(frames_.front()));
    frames_.pop_front();
    ++taken;
  }
}

void outbound_queue::clear() noexcept {
  frames_.clear();
  bytes_ = 0;
}

} // namespace rt::pubsub
