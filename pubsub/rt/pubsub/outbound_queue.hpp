#pragma once

// Per-connection outbound queue of pre-encoded frames, bounded in bytes.
// When a push would exceed the bound the frame is refused and the owner applies
// the slow-consumer policy (the server closes the connection with 1008).

#include <cstddef>
#include <vector>

#include "rt/protocol/wire_frame.hpp"
#include "rt/pubsub/fifo.hpp"

namespace rt::pubsub {

class outbound_queue {
public:
  /// `max_bytes` bounds the sum of queued frame sizes.
  explicit outbound_queue(std::size_t max_bytes) noexcept : max_bytes_(max_bytes) {}

  /// Appends `frame`; returns false, queueing nothing, when it would not fit.
  /// A frame larger than the whole bound fits only into an empty queue, so
  /// one big message never wedges a connection.
  bool push(protocol::shared_frame frame);

  /// Moves frames from the front into `batch`: at most `max_frames`, and no
  /// more than `max_bytes` unless the first frame alone is bigger.
  void take(std::vector<protocol::shared_frame>& batch, std::size_t max_frames,
            std::size_t max_bytes);

  /// Drops everything queued.
  void clear() noexcept;

  std::size_t bytes() const noexcept { return bytes_; }
  std::size_t size() const noexcept { return frames_.size(); }
  bool empty() const noexcept { return frames_.empty(); }
  std::size_t max_bytes() const noexcept { return max_bytes_; }

private:
  fifo<protocol::shared_frame> frames_;
  std::size_t bytes_ = 0;
  std::size_t max_bytes_;
};

} // namespace rt::pubsub
