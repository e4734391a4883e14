#pragma once

// A detached actor (a thread of its own: its libpq calls block) that asks
// the row level security policies of realtime.messages who may read and
// write a private channel (db/channel_authorization.hpp). An endpoint runs a
// small pool of them (AUTHORIZATION_POOL_SIZE); each holds one session,
// opened on first use and again after a failure.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

#include "rt/db/channel_authorization.hpp"
#include "rt/db/config.hpp"
#include "rt/db/message_replay.hpp"

namespace rt::actors {

/// How a permission check ended.
enum class permission_outcome : std::uint8_t {
  /// The policies answered: see `permissions`.
  answered,
  /// A policy failed to run (Supabase's RlsPolicyError): deny.
  policy_error,
  /// The database could not be reached or lacks the realtime objects (a
  /// missing role or partition): "unable to connect to the project database".
  unavailable,
};

/// The answer to a permission_query.
struct permission_answer {
  /// The query's tag, returned as it was.
  std::uint64_t tag = 0;
  permission_outcome outcome = permission_outcome::unavailable;
  db::channel_permissions permissions;
  /// What went wrong, for the log.
  std::string error;
};

/// anyone -> authorizer: check `client`'s read or write permissions and call
/// `reply` (on the authorizer's thread) with the answer.
struct permission_query {
  enum class access : std::uint8_t { read, write };
  access what = access::read;
  db::channel_client client;
  db::extensions which = db::extensions::broadcast_and_presence;
  std::uint64_t tag = 0;
  std::function<void(permission_answer)> reply;
};

/// The answer to a replay_query.
struct replay_answer {
  /// False when the query failed (the reason went to the log).
  bool ok = false;
  std::vector<db::stored_message> messages;
};

/// channel -> authorizer: read the private topic's stored broadcasts to
/// replay (db/message_replay.hpp) and call `reply` (on the authorizer's
/// thread) with them.
struct replay_query {
  std::string topic;
  std::int64_t since_ms = 0;
  std::int64_t limit = 25;
  std::function<void(replay_answer)> reply;
};

/// The client a private topic's policies are asked about: `sub_topic`, the
/// token's role and claims (their `sub` when a string), and the request
/// headers as a JSON object text.
db::channel_client policy_client(std::string sub_topic, std::string role,
                                 const boost::json::object& claims, std::string headers_json);

/// Spawns one authorizer for the database of `cfg`.
caf::actor spawn_authorizer(caf::actor_system& sys, db::database_config cfg);

} // namespace rt::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::permission_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::permission_answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::replay_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::replay_answer)
