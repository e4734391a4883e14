#pragma once

// The published tables a binding's schema and table select, with their
// columns as a role sees them: the rows Supabase inserts into
// realtime.subscription, one per matching table of the publication.

#include <cstdint>
#include <string>
#include <vector>

#include <libpq-fe.h>
#include <tl/expected.hpp>

#include "rt/db/catalog.hpp"
#include "rt/db/connection.hpp"

namespace rt::db {

/// What the filter checks need to know about a column beyond column_info.
struct column_extra {
  /// atttypid::regtype::text ("integer", "character varying", a domain's
  /// name): the type as Supabase names it in its errors.
  std::string regtype;
  /// The type of an array of the column's values (a domain's own array
  /// type for a domain); 0 when there is none.
  std::uint32_t array_type = 0;
  /// The column's own type (not a domain's base) has the operator the
  /// filter needs: `~~` for like and ilike, `~` for match, `~*` for imatch.
  bool has_like = false;
  bool has_match = false;
  bool has_imatch = false;
};

/// One matching table; `info.filters` is still empty.
struct published_table {
  table_info info;
  /// Parallel to info.columns.
  std::vector<column_extra> extra;
};

/// The result of read_published_tables.
struct published_tables {
  /// The role exists (false too when no table matched).
  bool role_exists = false;
  /// Ordered by schema, then table name.
  std::vector<published_table> tables;
};

/// Every table of `publication` whose schema and table names match `schema`
/// and `table` ("*" matches any name; anything else is an SQL LIKE pattern
/// without escape character, as Supabase matches), with its columns in
/// attnum order as `role` sees them. All four values are sent as typed
/// parameters.
[[nodiscard]] tl::expected<published_tables, db_error>
read_published_tables(PGconn* conn, const std::string& publication, const std::string& role,
                      const std::string& schema, const std::string& table);

} // namespace rt::db
