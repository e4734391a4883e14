#include "rt/db/channel_authorization.hpp"

#include <array>
#include <string_view>

#include "rt/protocol/ascii.hpp"

namespace rt::db {

namespace {

// SQLSTATE of "permission denied" and of a row level security violation.
constexpr std::string_view insufficient_privilege = "42501";

std::vector<std::string_view> extension_names(extensions which) {
  if (which == extensions::broadcast)
    return {"broadcast"};
  return {"broadcast", "presence"};
}

void set(channel_permissions& p, std::string_view extension, bool allowed) {
  (extension == "broadcast" ? p.broadcast : p.presence) = allowed;
}

tl::expected<void, db_error> run(PGconn* conn, const std::string& sql,
                                 const std::vector<param>& params = {}) {
  auto r = params.empty() ? exec_simple(conn, sql) : exec(conn, sql, params);
  if (!r)
    return tl::unexpected(r.error());
  return {};
}

tl::expected<void, db_error> become_client(PGconn* conn, const channel_client& c) {
  // SET ROLE none (any case) would leave the server's own role in place,
  // which row level security does not restrict.
  if (protocol::iequals(c.role, "none") || c.role.empty())
    return tl::unexpected(db_error{"22023", "role \"" + c.role + "\" cannot be taken by a client"});
  return run(conn,
             "SELECT set_config('role', $1, true), set_config('realtime.topic', $2, true), "
             "set_config('request.jwt.claims', $3, true), "
             "set_config('request.jwt.claim.sub', $4, true), "
             "set_config('request.jwt.claim.role', $1, true), "
             "set_config('request.headers', $5, true)",
             {c.role, c.topic, c.claims_json, c.sub.value_or(""), c.headers_json});
}

// Runs `body` in a transaction that is always rolled back.
template <class Body>
auto rolled_back(PGconn* conn, Body&& body) -> decltype(body()) {
  if (auto begun = run(conn, "BEGIN"); !begun)
    return tl::unexpected(begun.error());
  auto out = body();
  if (auto ended = run(conn, "ROLLBACK"); !ended && out)
    return tl::unexpected(ended.error());
  return out;
}

tl::expected<channel_permissions, db_error> read_in_transaction(PGconn* conn,
                                                                const channel_client& c,
                                                                extensions which) {
  auto names = extension_names(which);
  std::vector<std::string> ids;
  for (auto name : names) {
    auto made = exec(conn,
                     "INSERT INTO realtime.messages (topic, extension) VALUES ($1, $2) RETURNING id",
                     {c.topic, std::string{name}});
    if (!made)
      return tl::unexpected(made.error());
    ids.emplace_back(field(made->get(), 0, 0).value_or(""));
  }
  if (auto ok = become_client(conn, c); !ok)
    return tl::unexpected(ok.error());
  channel_permissions out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto seen = exec(conn, "SELECT 1 FROM realtime.messages WHERE id = $1::uuid", {ids[i]});
    if (!seen)
      return tl::unexpected(seen.error());
    set(out, names[i], PQntuples(seen->get()) > 0);
  }
  return out;
}

tl::expected<channel_permissions, db_error> write_in_transaction(PGconn* conn,
                                                                 const channel_client& c,
                                                                 extensions which) {
  if (auto ok = become_client(conn, c); !ok)
    return tl::unexpected(ok.error());
  channel_permissions out;
  for (auto name : extension_names(which)) {
    if (auto ok = run(conn, "SAVEPOINT write_check"); !ok)
      return tl::unexpected(ok.error());
    auto inserted = exec(conn, "INSERT INTO realtime.messages (topic, extension) VALUES ($1, $2)",
                         {c.topic, std::string{name}});
    if (!inserted && inserted.error().sqlstate != insufficient_privilege)
      return tl::unexpected(inserted.error());
    set(out, name, inserted.has_value());
    if (auto ok = run(conn, "ROLLBACK TO SAVEPOINT write_check"); !ok)
      return tl::unexpected(ok.error());
  }
  return out;
}

} // namespace

tl::expected<channel_permissions, db_error>
check_read(PGconn* conn, const channel_client& client, extensions which) {
  return rolled_back(conn, [&] { return read_in_transaction(conn, client, which); });
}

tl::expected<channel_permissions, db_error>
check_write(PGconn* conn, const channel_client& client, extensions which) {
  return rolled_back(conn, [&] { return write_in_transaction(conn, client, which); });
}

} // namespace rt::db
