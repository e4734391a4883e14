#pragma once

// libpq connections and results as owning handles, and the few blocking calls
// every user of the database needs. Sessions always run with DateStyle ISO,
// TimeZone UTC and extra_float_digits 1, the settings the JSON conversion of
// replicated values (replication/value_json.hpp) and filter operands assume.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>
#include <tl/expected.hpp>

#include "rt/db/config.hpp"

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

/// How a connection is used.
enum class session_kind { regular, replication };

/// libpq connection string for `cfg`; replication sessions add
/// `replication=database`. Values are quoted, never spliced raw.
[[nodiscard]] std::string conninfo(const database_config& cfg, session_kind kind);

/// Connects (blocking, at most `connect_timeout_s` seconds).
[[nodiscard]] tl::expected<connection, db_error>
connect(const database_config& cfg, session_kind kind, int connect_timeout_s = 10);

/// A query parameter in text form; nullopt is SQL NULL.
using param = std::optional<std::string>;

/// Runs `sql` with `params` ($1, $2, ...) and waits for its result. With
/// `types`, parameter i has PostgreSQL type `types[i]` (0 lets the server
/// infer it). Fails unless the result is COMMAND_OK or TUPLES_OK.
[[nodiscard]] tl::expected<result, db_error> exec(PGconn* conn, const std::string& sql,
                                                  const std::vector<param>& params = {},
                                                  const std::vector<Oid>& types = {});

/// Runs a simple-protocol command (replication commands need this).
[[nodiscard]] tl::expected<result, db_error> exec_simple(PGconn* conn, const std::string& sql);

/// The text of field (row, col), or nullopt for NULL.
[[nodiscard]] std::optional<std::string_view> field(const PGresult* r, int row, int col);

/// `name` quoted as an SQL identifier ("a""b").
[[nodiscard]] std::string quote_identifier(std::string_view name);

} // namespace rt::db
