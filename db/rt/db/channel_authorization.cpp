#include "rt/db/channel_authorization.hpp"

#include <array>
#include <string_view>

#include "rt/db/client_identity.hpp"

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

tl::expected<void, db_error> become_client(PGconn* conn, const channel_client& c) {
  return take_identity(conn, {c.role, c.claims_json, c.sub},
                       {{"realtime.topic", c.topic}, {"request.headers", c.headers_json}});
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
    if (auto ok = run_statement(conn, "SAVEPOINT write_check"); !ok)
      return tl::unexpected(ok.error());
    auto inserted = exec(conn, "INSERT INTO realtime.messages (topic, extension) VALUES ($1, $2)",
                         {c.topic, std::string{name}});
    if (!inserted && inserted.error().sqlstate != insufficient_privilege)
      return tl::unexpected(inserted.error());
    set(out, name, inserted.has_value());
    if (auto ok = run_statement(conn, "ROLLBACK TO SAVEPOINT write_check"); !ok)
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
