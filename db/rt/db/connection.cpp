#include "rt/db/connection.hpp"

#include <algorithm>
#include <charconv>

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

bool any_param_has_nul(const std::vector<param>& params) {
  return std::any_of(params.begin(), params.end(),
                     [](const param& p) { return p && has_nul_byte(*p); });
}

tl::expected<result, db_error> checked(PGconn* conn, PGresult* raw) {
  result r{raw};
  auto status = PQresultStatus(r.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_COPY_BOTH)
    return r;
  return tl::unexpected(result_error(conn, r.get()));
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
  append_pair(out, "options", session_options(kind));
  append_pair(out, "keepalives", "1");
  append_pair(out, "keepalives_idle", std::to_string(keepalives_idle.count()));
  append_pair(out, "keepalives_interval", std::to_string(keepalives_interval.count()));
  append_pair(out, "keepalives_count", std::to_string(keepalives_count));
  append_pair(out, "tcp_user_timeout", std::to_string(tcp_user_timeout.count()));
  if (kind == session_kind::replication)
    append_pair(out, "replication", "database");
  return out;
}

tl::expected<connection, db_error> connect(const database_config& cfg, session_kind kind,
                                           int connect_timeout_s) {
  auto info = conninfo(cfg, kind);
  append_pair(info, "connect_timeout", std::to_string(connect_timeout_s));
  connection conn{PQconnectdb(info.c_str())};
  if (!conn)
    return tl::unexpected(db_error{{}, "out of memory"});
  if (PQstatus(conn.get()) != CONNECTION_OK)
    return tl::unexpected(connection_error(conn.get()));
  return conn;
}

db_error connection_error(PGconn* conn) {
  std::string message = PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
    message.pop_back();
  return {{}, message.empty() ? "connection lost" : message};
}

db_error result_error(PGconn* conn, const PGresult* r) {
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
    e.message = connection_error(conn).message;
  return e;
}

bool has_nul_byte(std::string_view text) { return text.find('\0') != std::string_view::npos; }

db_error nul_byte_error() { return {"22021", "invalid byte sequence for encoding \"UTF8\": 0x00"}; }

tl::expected<result, db_error> exec(PGconn* conn, const std::string& sql,
                                    const std::vector<param>& params,
                                    const std::vector<Oid>& types) {
  if (has_nul_byte(sql) || any_param_has_nul(params))
    return tl::unexpected(nul_byte_error());
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params)
    values.push_back(p ? p->c_str() : nullptr);
  const Oid* type_ptr = types.size() == params.size() && !types.empty() ? types.data() : nullptr;
  return checked(conn, PQexecParams(conn, sql.c_str(), static_cast<int>(params.size()),
                                    type_ptr, values.data(), nullptr, nullptr, 0));
}

tl::expected<result, db_error> exec_simple(PGconn* conn, const std::string& sql) {
  if (has_nul_byte(sql))
    return tl::unexpected(nul_byte_error());
  return checked(conn, PQexec(conn, sql.c_str()));
}

std::optional<std::string_view> field(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col))
    return std::nullopt;
  return std::string_view{PQgetvalue(r, row, col),
                          static_cast<std::size_t>(PQgetlength(r, row, col))};
}

std::int64_t field_int(const PGresult* r, int row, int col) {
  std::int64_t value = 0;
  if (auto v = field(r, row, col))
    std::from_chars(v->data(), v->data() + v->size(), value);
  return value;
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
