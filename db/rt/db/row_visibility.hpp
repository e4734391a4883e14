#pragma once

// Which rows of a table a client may select now, as row level security
// decides it: the check Supabase's realtime.apply_rls makes for each
// subscriber and change (spec 6.3, "visibility of the row as it exists now,
// by primary key"), made here for a batch of rows of one table and one
// identity in one query. In a transaction that is always rolled back:
//
//   -- as the server's user: the key columns' array types
//   SELECT n.nspname, c.relname, a.attname, t.typarray FROM pg_class c ...
//   -- as the client (client_identity.hpp), with a statement timeout
//   SELECT set_config('role', $1, true), ...
//   SELECT k.ord FROM unnest($1, $2) WITH ORDINALITY AS k(c1, c2, ord)
//    WHERE EXISTS (SELECT FROM "schema"."table" AS t
//                   WHERE t."a" = k.c1 AND t."b" = k.c2)
//
// Key values travel as array parameters typed with the key columns' array
// types (never spliced into SQL); names are quoted. Blocking: call from a
// thread of its own.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "rt/db/client_identity.hpp"
#include "rt/db/connection.hpp"

namespace rt::db {

/// Rows of one table, by primary key.
struct key_batch {
  /// pg_class.oid of the table.
  std::uint32_t relid = 0;
  /// The primary key's column names, in the order of each row's values.
  std::vector<std::string> columns;
  /// Each row's key values as PostgreSQL's text output (as pgoutput sends
  /// them); nullopt is NULL, which matches no row.
  std::vector<std::vector<std::optional<std::string>>> rows;
};

/// For each row of `batch`, in order, whether `who` can select it now.
/// `timeout` bounds the query (statement_timeout; 0: the session's). Errors:
/// a policy that failed to run (its SQLSTATE and message, 57014 for the
/// timeout), a role that does not exist or may not be taken, a table or key
/// column that is gone (42P01, 42703), a row whose value count differs from
/// the key's (22023), a broken session (no SQLSTATE).
[[nodiscard]] tl::expected<std::vector<bool>, db_error>
visible_rows(PGconn* conn, const client_identity& who, const key_batch& batch,
             std::chrono::milliseconds timeout = std::chrono::milliseconds{0});

} // namespace rt::db
