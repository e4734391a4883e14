#include "rt/actors/catalog_actor.hpp"

#include <optional>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "rt/actors/unexpected.hpp"
#include "rt/db/lazy_connection.hpp"

namespace rt::actors {

namespace {

struct catalog_state {
  std::optional<db::lazy_connection> db;
  static inline const char* name = "rt.catalog";
};

using catalog_self = caf::stateful_actor<catalog_state>*;

// One pass over the specs. A refusal on a session that broke on the way says
// nothing about the binding: lazy_connection then asks again.
resolve_reply resolve_once(PGconn* conn, const std::string& publication,
                           const resolve_request& req) {
  resolve_reply reply;
  for (const auto& spec : req.specs) {
    auto tables = db::resolve_binding(conn, publication, req.role, spec);
    if (PQstatus(conn) != CONNECTION_OK)
      return reply;
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
  auto& db = *self->state.db;
  auto reply = db.with_session([&](PGconn* conn) -> std::optional<resolve_reply> {
    return resolve_once(conn, db.config().publication, req);
  });
  if (reply)
    return std::move(*reply);
  spdlog::warn("catalog: cannot reach the database: {}", db.last_error().message);
  return resolve_reply{true, {}, {}};
}

caf::behavior catalog_behavior(catalog_self self, db::database_config cfg) {
  self->state.db.emplace(std::move(cfg));
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
