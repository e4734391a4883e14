#include "rt/db/client_identity.hpp"

#include "rt/protocol/ascii.hpp"

namespace rt::db {

tl::expected<void, db_error> run_statement(PGconn* conn, const std::string& sql,
                                 const std::vector<param>& params) {
  auto r = params.empty() ? exec_simple(conn, sql) : exec(conn, sql, params);
  if (!r)
    return tl::unexpected(r.error());
  return {};
}

tl::expected<void, db_error> take_identity(PGconn* conn, const client_identity& who,
                                           const std::vector<setting>& extra) {
  if (protocol::iequals(who.role, "none") || who.role.empty())
    return tl::unexpected(
      db_error{"22023", "role \"" + who.role + "\" cannot be taken by a client"});
  std::string sql = "SELECT set_config('role', $1, true), "
                    "set_config('request.jwt.claims', $2, true), "
                    "set_config('request.jwt.claim.sub', $3, true), "
                    "set_config('request.jwt.claim.role', $1, true)";
  std::vector<param> params{who.role, who.claims_json, who.sub.value_or("")};
  for (const auto& [name, value] : extra) {
    auto n = params.size();
    sql += ", set_config($" + std::to_string(n + 1) + ", $" + std::to_string(n + 2) + ", true)";
    params.emplace_back(name);
    params.emplace_back(value);
  }
  return run_statement(conn, sql, params);
}

} // namespace rt::db
