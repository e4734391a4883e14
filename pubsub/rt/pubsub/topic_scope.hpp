#pragma once

// Private and public topics are separate namespaces: a private channel of
// "realtime:room" never hears the public one of the same name. Pubsub and the
// presence tracker index topics by a key that carries the scope. A private
// key starts with a byte that valid UTF-8 never contains, and topics are
// always valid UTF-8, so no public topic can take a private key.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

namespace rt::pubsub {

/// The namespace a topic lives in.
enum class topic_scope : std::uint8_t { public_topic, private_topic };

/// Ids of stored messages (database broadcasts) a subscriber has had.
using message_ids = std::unordered_set<std::string>;

/// What a subscriber is allowed to receive (a private channel's read
/// permissions; everything on a public one).
struct read_grants {
  bool broadcast = true;
  bool presence = true;
};

/// Which permission a published message needs to be delivered.
enum class message_kind : std::uint8_t { broadcast, presence };

/// True when `grants` let a subscriber receive a message of `kind`.
constexpr bool may_read(read_grants grants, message_kind kind) noexcept {
  return kind == message_kind::broadcast ? grants.broadcast : grants.presence;
}

/// The index key of `topic` in `scope`: the topic itself when public.
std::string scoped_key(topic_scope scope, std::string_view topic);

/// A key's scope and topic (the inverse of scoped_key).
struct scoped_topic {
  topic_scope scope = topic_scope::public_topic;
  std::string_view topic;
};

/// Splits a key made by scoped_key.
scoped_topic split_key(std::string_view key) noexcept;

} // namespace rt::pubsub
