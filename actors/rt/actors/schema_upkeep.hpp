#pragma once

// A detached actor (its libpq calls block) that keeps the `realtime` schema
// objects of the database current (db/realtime_schema.hpp): the migrations
// at startup, then the daily partitions of realtime.messages every hour.
// While the database cannot be reached it retries with backoff (1 s doubling
// to 60 s), logging each failure once per kind.

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "rt/db/config.hpp"

namespace rt::actors {

/// Spawns the upkeep for `cfg`; it starts at once and stops with an exit.
caf::actor spawn_schema_upkeep(caf::actor_system& sys, db::database_config cfg);

} // namespace rt::actors
