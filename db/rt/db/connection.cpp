#include "rt/db/connection.hpp"

namespace rt::db {

namespace {

// libpq conninfo values go in single quotes with \ and ' escaped.
void append_pair(std::string& out, std::string_view key, std::string_view value) {
  out.append(key).append("='");
  for (char c : value) {
    if (c == '\\' || c == '\'')
      out.push_back('\\');
    out.push_back(c);
  }
  out.append("' ");
}

db_error error_of(PGconn* conn, const PGresult* r) {
  db_error e;
  if (r != nullptr) {
    auto get = [r](int code, std::string& out) {
      if (const char* value = PQresultErrorField(r, code))
        out = value;
    };
    get(PG_DIAG_SQLSTATE, e.sqlstate);
    get(PG_DIAG_MESSAGE_PRIMARY, e.message);
    get(PG_DIAG_MESSAGE_DETAIL, e.detail);
    get(PG_DIAG_MESSAGE_HINT, e.hint);
    get(PG_DIAG_TABLE_NAME, e.table);
    get(PG_DIAG_COLUMN_NAME, e.column);
    get(PG_DIAG_CONSTRAINT_NAME, e.constraint);
  }
  if (e.message.empty())
    e.message = PQerrorMessage(conn);
  while (!e.message.empty() && (e.message.back() == '\n' || e.message.back() == ' '))
    e.message.pop_back();
  return e;
}

tl::expected<result, db_error> checked(PGconn* conn, PGresult* raw) {
  result r{raw};
  auto status = PQresultStatus(r.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_COPY_BOTH)
    return r;
  return tl::unexpected(error_of(conn, r.get()));
}

} // namespace

std::string conninfo(const database_config& cfg, session_kind kind) {
  std::string out;
  append_pair(out, "host", cfg.host);
  append_pair(out, "port", std::to_string(cfg.port));
  append_pair(out, "dbname", cfg.name);
  append_pair(out, "user", cfg.user);
  if (!cfg.password.empty())
    append_pair(out, "password", cfg.password);
  append_pair(out, "application_name", "realtime");
  append_pair(out, "options", "-c DateStyle=ISO -c TimeZone=UTC -c extra_float_digits=1");
  if (kind == session_kind::replication)
    append_pair(out, "replication", "database");
  return out;
}

tl::expected<connection, db_error> connect(const database_config& cfg, session_kind kind,
                                           int connect_timeout_s) {
  auto info = conninfo(cfg, kind);
  info.append("connect_timeout='").append(std::to_string(connect_timeout_s)).append("'");
  connection conn{PQconnectdb(info.c_str())};
  if (!conn)
    return tl::unexpected(db_error{{}, "out of memory"});
  if (PQstatus(conn.get()) != CONNECTION_OK)
    return tl::unexpected(error_of(conn.get(), nullptr));
  return conn;
}

tl::expected<result, db_error> exec(PGconn* conn, const std::string& sql,
                                    const std::vector<param>& params,
                                    const std::vector<Oid>& types) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params)
    values.push_back(p ? p->c_str() : nullptr);
  const Oid* type_ptr = types.size() == params.size() && !types.empty() ? types.data() : nullptr;
  return checked(conn, PQexecParams(conn, sql.c_str(), static_cast<int>(params.size()),
                                    type_ptr, values.data(), nullptr, nullptr, 0));
}

tl::expected<result, db_error> exec_simple(PGconn* conn, const std::string& sql) {
  return checked(conn, PQexec(conn, sql.c_str()));
}

std::optional<std::string_view> field(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col))
    return std::nullopt;
  return std::string_view{PQgetvalue(r, row, col),
                          static_cast<std::size_t>(PQgetlength(r, row, col))};
}

std::string quote_identifier(std::string_view name) {
  std::string out{"\""};
  for (char c : name) {
    if (c == '"')
      out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

} // namespace rt::db
