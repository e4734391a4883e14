#include "rt/actors/catalog_actor.hpp"

#include <optional>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "rt/actors/unexpected.hpp"
#include "rt/db/connection.hpp"

namespace rt::actors {

namespace {

struct catalog_state {
  db::database_config cfg;
  db::connection conn;
  static inline const char* name = "rt.catalog";
};

using catalog_self = caf::stateful_actor<catalog_state>*;

// Connects when there is no session; true when there is one. `fresh` tells
// whether it was made just now.
bool connected(catalog_self self, bool& fresh) {
  auto& st = self->state;
  fresh = false;
  if (st.conn && PQstatus(st.conn.get()) == CONNECTION_OK)
    return true;
  auto conn = db::connect(st.cfg, db::session_kind::regular);
  if (!conn) {
    spdlog::warn("catalog: cannot connect to the database: {}", conn.error().message);
    st.conn.reset();
    return false;
  }
  st.conn = std::move(*conn);
  fresh = true;
  return true;
}

// One pass over the specs; nullopt when the session broke on the way (a
// refusal on a broken connection says nothing about the binding).
std::optional<resolve_reply> resolve_once(catalog_self self, const resolve_request& req) {
  auto& st = self->state;
  resolve_reply reply;
  for (const auto& spec : req.specs) {
    auto tables = db::resolve_binding(st.conn.get(), st.cfg.publication, req.role, spec);
    if (PQstatus(st.conn.get()) != CONNECTION_OK) {
      st.conn.reset();
      return std::nullopt;
    }
    if (!tables) {
      reply.error = tables.error();
      reply.tables.clear();
      return reply;
    }
    reply.tables.push_back(std::move(*tables));
  }
  return reply;
}

resolve_reply resolve(catalog_self self, const resolve_request& req) {
  // A session that looked fine may have died with its server (a restart):
  // that is only seen on use, so a broken old session gets one more try.
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool fresh = false;
    if (!connected(self, fresh))
      break;
    if (auto reply = resolve_once(self, req))
      return std::move(*reply);
    if (fresh)
      break;
  }
  return resolve_reply{true, {}, {}};
}

caf::behavior catalog_behavior(catalog_self self, db::database_config cfg) {
  self->state.cfg = std::move(cfg);
  self->set_default_handler(drop_unexpected);
  return {
    [self](resolve_request& req) { return resolve(self, req); },
  };
}

} // namespace

caf::actor spawn_catalog(caf::actor_system& sys, db::database_config cfg) {
  return sys.spawn<caf::detached>(catalog_behavior, std::move(cfg));
}

} // namespace rt::actors
