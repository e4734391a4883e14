#pragma once

// A detached actor (a thread of its own: its libpq calls block) that asks
// the database about postgres_changes bindings. It connects on first use and
// again after a failure.

#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

#include "rt/db/catalog.hpp"
#include "rt/db/config.hpp"

namespace rt::actors {

/// replication_slot -> catalog: resolve these bindings for `role`.
struct resolve_request {
  std::string role;
  std::vector<db::binding_spec> specs;
};

/// catalog -> replication_slot: one entry per spec, or why none could be made.
struct resolve_reply {
  /// The database could not be reached: the request may be retried.
  bool unavailable = false;
  /// The first refusal (the client-facing text); empty when all resolved.
  std::string error;
  std::vector<std::vector<db::table_info>> tables;
};

/// Spawns the catalog actor for `cfg`.
caf::actor spawn_catalog(caf::actor_system& sys, db::database_config cfg);

} // namespace rt::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::resolve_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::resolve_reply)
