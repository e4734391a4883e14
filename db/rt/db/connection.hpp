#pragma once

// libpq connections and results as owning handles, and the few blocking calls
// every user of the database needs. Sessions run with the settings of
// session_settings.hpp.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>
#include <tl/expected.hpp>

#include "rt/db/config.hpp"
#include "rt/db/session_settings.hpp"

namespace rt::db {

struct connection_deleter {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
struct result_deleter {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};

using connection = std::unique_ptr<PGconn, connection_deleter>;
using result = std::unique_ptr<PGresult, result_deleter>;

/// Why a call failed: PostgreSQL's SQLSTATE (empty when the failure was not
/// an error reported by the server), its message and, when the server gave
/// them, its DETAIL, HINT and the table, column and constraint concerned.
struct db_error {
  std::string sqlstate;
  std::string message;
  std::string detail = {};
  std::string hint = {};
  std::string table = {};
  std::string column = {};
  std::string constraint = {};
};

/// libpq connection string for `cfg`: session_options(kind), TCP keepalives
/// and tcp_user_timeout; replication sessions add `replication=database`.
/// Values are quoted, never spliced raw.
[[nodiscard]] std::string conninfo(const database_config& cfg, session_kind kind);

/// Connects (blocking, at most `connect_timeout_s` seconds).
[[nodiscard]] tl::expected<connection, db_error>
connect(const database_config& cfg, session_kind kind,
        int connect_timeout_s = static_cast<int>(connect_timeout.count()));

/// The connection's last libpq error (PQerrorMessage without its trailing
/// newline; "connection lost" when libpq has none), without SQLSTATE.
[[nodiscard]] db_error connection_error(PGconn* conn);

/// The error a failed result reports (SQLSTATE, message, detail, hint,
/// table, column, constraint); the connection's error when it has none.
[[nodiscard]] db_error result_error(PGconn* conn, const PGresult* r);

/// True when `text` contains a NUL byte, which no PostgreSQL text value can.
[[nodiscard]] bool has_nul_byte(std::string_view text);

/// What PostgreSQL reports for text containing a NUL byte (SQLSTATE 22021).
/// libpq sends text as C strings, so exec and exec_simple return it instead
/// of sending a truncated query or parameter.
[[nodiscard]] db_error nul_byte_error();

/// A query parameter in text form; nullopt is SQL NULL.
using param = std::optional<std::string>;

/// Runs `sql` with `params` ($1, $2, ...) and waits for its result. With
/// `types`, parameter i has PostgreSQL type `types[i]` (0 lets the server
/// infer it). Fails unless the result is COMMAND_OK or TUPLES_OK, and
/// without sending anything when `sql` or a parameter contains a NUL byte
/// (nul_byte_error()).
[[nodiscard]] tl::expected<result, db_error> exec(PGconn* conn, const std::string& sql,
                                                  const std::vector<param>& params = {},
                                                  const std::vector<Oid>& types = {});

/// Runs a simple-protocol command (replication commands need this); refuses
/// `sql` containing a NUL byte as exec does.
[[nodiscard]] tl::expected<result, db_error> exec_simple(PGconn* conn, const std::string& sql);

/// The text of field (row, col), or nullopt for NULL.
[[nodiscard]] std::optional<std::string_view> field(const PGresult* r, int row, int col);

/// Field (row, col) as an integer; 0 for NULL or text that is not one.
[[nodiscard]] std::int64_t field_int(const PGresult* r, int row, int col);

/// `name` quoted as an SQL identifier ("a""b").
[[nodiscard]] std::string quote_identifier(std::string_view name);

} // namespace rt::db
