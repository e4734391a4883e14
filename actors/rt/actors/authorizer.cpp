#include "rt/actors/authorizer.hpp"

#include <string_view>

#include <boost/json/serialize.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "rt/actors/unexpected.hpp"
#include "rt/db/lazy_connection.hpp"

namespace rt::actors {

namespace {

struct authorizer_state {
  std::optional<db::lazy_connection> db;
  static inline const char* name = "rt.authorizer";
};

using authorizer_self = caf::stateful_actor<authorizer_state>*;

using check_result = tl::expected<db::channel_permissions, db::db_error>;

// SQLSTATEs that mean the database is not ready for private channels rather
// than that a policy failed: no partition for the row (check_violation on a
// partitioned insert), no realtime.messages (undefined_table), connection
// trouble (class 08, or no SQLSTATE at all). A role that does not exist is
// the client's: it is denied like a failing policy.
bool means_unavailable(std::string_view sqlstate) {
  return sqlstate == "23514" || sqlstate == "42P01" || sqlstate.substr(0, 2) == "08"
         || sqlstate.empty();
}

permission_answer answer_for(const permission_query& q, const std::optional<check_result>& r,
                             const db::lazy_connection& db) {
  permission_answer out;
  out.tag = q.tag;
  if (!r) {
    out.error = "cannot reach the database: " + db.last_error().message;
  } else if (*r) {
    out.outcome = permission_outcome::answered;
    out.permissions = **r;
  } else {
    out.error = r->error().message;
    if (!means_unavailable(r->error().sqlstate))
      out.outcome = permission_outcome::policy_error;
  }
  return out;
}

void check(authorizer_self self, permission_query& q) {
  auto& db = *self->state.db;
  // A check that failed on a broken session is not an answer: ask again.
  auto result = db.with_session([&](PGconn* conn) -> std::optional<check_result> {
    if (q.what == permission_query::access::read)
      return db::check_read(conn, q.client, q.which);
    return db::check_write(conn, q.client, q.which);
  });
  auto answer = answer_for(q, result, db);
  if (answer.outcome != permission_outcome::answered)
    spdlog::warn("permission check for topic {}: {}", q.client.topic, answer.error);
  if (q.reply)
    q.reply(std::move(answer));
}

void replay(authorizer_self self, replay_query& q) {
  using rows = tl::expected<std::vector<db::stored_message>, db::db_error>;
  auto& db = *self->state.db;
  auto result = db.with_session([&](PGconn* conn) -> std::optional<rows> {
    return db::replay_messages(conn, q.topic, q.since_ms, q.limit);
  });
  replay_answer answer;
  if (result && *result) {
    answer.ok = true;
    answer.messages = std::move(**result);
  } else {
    spdlog::warn("replay for topic {}: {}", q.topic,
                 result ? result->error().message : db.last_error().message);
  }
  if (q.reply)
    q.reply(std::move(answer));
}

caf::behavior authorizer_behavior(authorizer_self self, db::database_config cfg) {
  self->state.db.emplace(std::move(cfg));
  self->set_default_handler(drop_unexpected);
  return {
    [self](permission_query& q) { check(self, q); },
    [self](replay_query& q) { replay(self, q); },
  };
}

} // namespace

db::channel_client policy_client(std::string sub_topic, std::string role,
                                 const boost::json::object& claims, std::string headers_json) {
  db::channel_client client;
  client.topic = std::move(sub_topic);
  client.role = std::move(role);
  client.claims_json = boost::json::serialize(claims);
  if (auto* sub = claims.if_contains("sub"); sub != nullptr && sub->is_string())
    client.sub = std::string{sub->get_string()};
  client.headers_json = std::move(headers_json);
  return client;
}

caf::actor spawn_authorizer(caf::actor_system& sys, db::database_config cfg) {
  return sys.spawn<caf::detached>(authorizer_behavior, std::move(cfg));
}

} // namespace rt::actors
