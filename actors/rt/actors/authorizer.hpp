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

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

#include "rt/db/channel_authorization.hpp"
#include "rt/db/config.hpp"

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

/// Spawns one authorizer for the database of `cfg`.
caf::actor spawn_authorizer(caf::actor_system& sys, db::database_config cfg);

} // namespace rt::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::permission_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::permission_answer)
