#pragma once

// A message published to a topic, and the fan-out that delivers it: each
// subscriber gets the frame for its serializer, encoded once per version per
// publish and shared by every recipient (Phoenix's fastlane).

#include <array>
#include <cstddef>
#include <optional>
#include <string>

#include "rt/protocol/encode.hpp"
#include "rt/protocol/message.hpp"
#include "rt/protocol/vsn.hpp"
#include "rt/protocol/wire_frame.hpp"
#include "rt/pubsub/topic_registry.hpp"
#include "rt/pubsub/topic_scope.hpp"

namespace rt::pubsub {

/// What to publish: a text broadcast (`event` + `payload_json`, sent as-is), a
/// binary broadcast (`event` + `binary`, kind 2, vsn 2 only) or a user
/// broadcast (`user`, binary kind 4 where possible).
struct broadcast_message {
  /// Full topic, e.g. "realtime:room1".
  std::string topic;
  /// The namespace of `topic`.
  topic_scope scope = topic_scope::public_topic;
  /// The read permission a subscriber needs to receive it.
  message_kind kind = message_kind::broadcast;
  /// Event of a text broadcast.
  std::string event;
  /// JSON text of a text broadcast's payload, exactly as it will be sent.
  std::string payload_json;
  /// Set for binary broadcasts: the payload bytes.
  std::optional<std::string> binary;
  /// Set for user broadcasts.
  std::optional<protocol::user_broadcast_payload> user;
  /// JSON object text for a user broadcast's `meta`, or empty.
  std::string meta_json;
  /// The stored message's id (database broadcast), or empty.
  std::string message_id;
};

/// Lazily encodes one broadcast, at most once per serializer version.
class encoded_broadcast {
public:
  explicit encoded_broadcast(const broadcast_message& msg) noexcept : msg_(msg) {}

  /// The frame for sockets speaking `v`; nullptr when they cannot receive it
  /// (binary payloads on vsn 1).
  const protocol::shared_frame& frame(protocol::vsn v);

private:
  const broadcast_message& msg_;
  std::array<protocol::shared_frame, protocol::vsn_count> frames_{};
  std::array<bool, protocol::vsn_count> encoded_{};
};

/// Delivers `msg` to every subscriber of its topic (in its scope) that may
/// read its kind, except `exclude`. Subscribers are registered under
/// scoped_key(). `Entry` needs `id`, `version` (a protocol::vsn) and `grants`
/// (read_grants) and `known` (a pointer to message_ids, possibly null: a
/// message whose id it holds is skipped); `deliver(entry, frame)` is called
/// once per recipient.
/// Returns the number of deliveries.
template <class Entry, class Deliver>
std::size_t dispatch(const topic_registry<Entry>& registry, const broadcast_message& msg,
                     std::optional<subscriber_id> exclude, Deliver&& deliver) {
  auto* subscribers = msg.scope == topic_scope::public_topic
                        ? registry.find(msg.topic)
                        : registry.find(scoped_key(msg.scope, msg.topic));
  if (subscribers == nullptr)
    return 0;
  encoded_broadcast encoded{msg};
  std::size_t count = 0;
  for (auto& entry : *subscribers) {
    if ((exclude && entry.id == *exclude) || !may_read(entry.grants, msg.kind))
      continue;
    if (entry.known && !msg.message_id.empty() && entry.known->count(msg.message_id) != 0)
      continue;
    auto& frame = encoded.frame(entry.version);
    if (!frame)
      continue;
    deliver(entry, frame);
    ++count;
  }
  return count;
}

} // namespace rt::pubsub
