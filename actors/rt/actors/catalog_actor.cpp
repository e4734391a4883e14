#include "rt/actors/catalog_actor.hpp"

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

bool connected(catalog_self self) {
  auto& st = self->state;
  if (st.conn && PQstatus(st.conn.get()) == CONNECTION_OK)
    return true;
  auto conn = db::connect(st.cfg, db::session_kind::regular);
  if (!conn) {
    spdlog::warn("catalog: cannot connect to the database: {}", conn.error().message);
    st.conn.reset();
    return false;
  }
  st.conn = std::move(*conn);
  return true;
}

resolve_reply resolve(catalog_self self, const resolve_request& req) {
  resolve_reply reply;
  if (!connected(self)) {
    reply.unavailable = true;
    return reply;
  }
  for (const auto& spec : req.specs) {
    auto tables =
      db::resolve_binding(self->state.conn.get(), self->state.cfg.publication, req.role, spec);
    // A refusal on a broken connection says nothing about the binding.
    if (PQstatus(self->state.conn.get()) != CONNECTION_OK) {
      self->state.conn.reset();
      return resolve_reply{true, {}, {}};
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
