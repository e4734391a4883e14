#include "rt/actors/schema_upkeep.hpp"

#include <algorithm>
#include <chrono>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "rt/actors/unexpected.hpp"
#include "rt/db/connection.hpp"
#include "rt/db/realtime_schema.hpp"

namespace rt::actors {

namespace {

using upkeep_atom = caf::atom_constant<caf::atom("sch_tick")>;

constexpr std::chrono::hours partition_interval{1};
constexpr std::chrono::seconds first_retry{1};
constexpr std::chrono::seconds max_retry{60};

struct upkeep_state {
  db::database_config cfg;
  db::connection conn;
  bool migrated = false;
  std::chrono::seconds retry = first_retry;
  std::string last_error;
  static inline const char* name = "rt.schema_upkeep";
};

using upkeep_self = caf::stateful_actor<upkeep_state>*;

void note_failure(upkeep_self self, const std::string& what) {
  auto& st = self->state;
  if (what != st.last_error)
    spdlog::warn("realtime schema: {} (retrying)", what);
  st.last_error = what;
  st.conn.reset();
}

// One round; true when it fully succeeded.
bool run_once(upkeep_self self) {
  auto& st = self->state;
  if (!st.conn) {
    auto conn = db::connect(st.cfg, db::session_kind::regular);
    if (!conn) {
      note_failure(self, "cannot reach the database: " + conn.error().message);
      return false;
    }
    st.conn = std::move(*conn);
  }
  if (!st.migrated) {
    auto applied = db::migrate_realtime_schema(st.conn.get());
    if (!applied) {
      note_failure(self, "migration failed: " + applied.error().message);
      return false;
    }
    for (auto v : *applied)
      spdlog::info("realtime schema: applied migration {}", v);
    st.migrated = true;
  }
  auto kept = db::keep_message_partitions(st.conn.get());
  if (!kept) {
    note_failure(self, "partition upkeep failed: " + kept.error().message);
    return false;
  }
  if (kept->created > 0 || kept->dropped > 0)
    spdlog::info("realtime schema: {} message partitions created, {} dropped", kept->created,
                 kept->dropped);
  st.last_error.clear();
  return true;
}

void tick(upkeep_self self) {
  auto& st = self->state;
  if (run_once(self)) {
    st.retry = first_retry;
    self->delayed_send(self, partition_interval, upkeep_atom::value);
    return;
  }
  self->delayed_send(self, st.retry, upkeep_atom::value);
  st.retry = std::min(st.retry * 2, max_retry);
}

caf::behavior upkeep_behavior(upkeep_self self, db::database_config cfg) {
  self->state.cfg = std::move(cfg);
  self->set_default_handler(drop_unexpected);
  self->send(self, upkeep_atom::value);
  return {
    [self](upkeep_atom) { tick(self); },
  };
}

} // namespace

caf::actor spawn_schema_upkeep(caf::actor_system& sys, db::database_config cfg) {
  return sys.spawn<caf::detached>(upkeep_behavior, std::move(cfg));
}

} // namespace rt::actors
