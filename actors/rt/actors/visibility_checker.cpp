#include "rt/actors/visibility_checker.hpp"

#include <optional>
#include <string_view>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "rt/actors/unexpected.hpp"
#include "rt/db/lazy_connection.hpp"
#include "rt/db/postgrex_error.hpp"

namespace rt::actors {

namespace {

struct checker_state {
  std::optional<db::lazy_connection> db;
  static inline const char* name = "rt.visibility_checker";
};

using checker_self = caf::stateful_actor<checker_state>*;

using check_result = tl::expected<std::vector<bool>, db::db_error>;

// Connection trouble (class 08 or no SQLSTATE), a server shutting down or
// starting (57P01-57P03), too many connections (53300): the database's, not
// the identity's; anything else failed for this identity.
bool means_unavailable(std::string_view sqlstate) {
  return sqlstate.empty() || sqlstate.starts_with("08") || sqlstate == "57P01" ||
         sqlstate == "57P02" || sqlstate == "57P03" || sqlstate == "53300";
}

visibility_answer check(checker_self self, const visibility_query& q) {
  auto& db = *self->state.db;
  // A check that failed on a broken session is not an answer: ask again.
  auto result = db.with_session([&](PGconn* conn) -> std::optional<check_result> {
    return db::visible_rows(conn, q.who, q.rows, visibility_statement_timeout);
  });
  visibility_answer out;
  if (!result) {
    out.error = db.last_error().message;
  } else if (*result) {
    out.outcome = visibility_outcome::answered;
    out.visible = std::move(**result);
    return out;
  } else {
    out.error = db::postgrex_message(result->error());
    if (!means_unavailable(result->error().sqlstate))
      out.outcome = visibility_outcome::failed;
  }
  spdlog::warn("visibility check of relation {} for role {}: {}", q.rows.relid, q.who.role,
               out.error);
  return out;
}

caf::behavior checker_behavior(checker_self self, db::database_config cfg) {
  self->state.db.emplace(std::move(cfg));
  self->set_default_handler(drop_unexpected);
  return {
    [self](visibility_query& q) { return check(self, q); },
  };
}

} // namespace

caf::actor spawn_visibility_checker(caf::actor_system& sys, db::database_config cfg) {
  return sys.spawn<caf::detached>(checker_behavior, std::move(cfg));
}

} // namespace rt::actors
