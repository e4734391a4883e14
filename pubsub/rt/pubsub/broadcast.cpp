#include "rt/pubsub/broadcast.hpp"

namespace rt::pubsub {

const protocol::shared_frame& encoded_broadcast::frame(protocol::vsn v) {
  auto i = static_cast<std::size_t>(v);
  if (!encoded_[i]) {
    encoded_[i] = true;
    if (msg_.user)
      frames_[i] = protocol::encode_user_broadcast(v, msg_.topic, *msg_.user, msg_.meta_json);
    else if (msg_.binary)
      frames_[i] = protocol::encode_binary_broadcast(v, msg_.topic, msg_.event, *msg_.binary);
    else
      frames_[i] = protocol::encode_broadcast(v, msg_.topic, msg_.event, msg_.payload_json);
  }
  return frames_[i];
}

} // namespace rt::pubsub
