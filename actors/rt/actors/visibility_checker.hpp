#pragma once

// A detached actor (a thread of its own: its libpq calls block) that asks
// row level security which rows a client can select now
// (db/row_visibility.hpp). The replication_slot runs a small pool of them;
// each holds one session, opened on first use and again after a failure, so
// a server without tables under row level security never opens one.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

#include "rt/db/config.hpp"
#include "rt/db/row_visibility.hpp"

namespace rt::actors {

/// A statement of a check may run this long (a policy that never ends
/// fails its check instead of stalling its checker).
inline constexpr std::chrono::milliseconds visibility_statement_timeout{5'000};

/// replication_slot -> visibility_checker (request): which of `rows` `who`
/// can select now. Answered with a visibility_answer.
struct visibility_query {
  db::client_identity who;
  db::key_batch rows;
};

/// How a check ended.
enum class visibility_outcome : std::uint8_t {
  /// `visible` holds one entry per row.
  answered,
  /// The check failed for this identity (a policy error, a role that does
  /// not exist, a timeout, a table gone): `error` is PostgreSQL's error as
  /// Supabase words it.
  failed,
  /// The database could not be reached; the check may be asked again.
  unavailable,
};

struct visibility_answer {
  visibility_outcome outcome = visibility_outcome::unavailable;
  std::vector<bool> visible;
  std::string error;
};

/// Spawns one checker for the database of `cfg`.
caf::actor spawn_visibility_checker(caf::actor_system& sys, db::database_config cfg);

} // namespace rt::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::visibility_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::visibility_answer)
