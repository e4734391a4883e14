#pragma once

// A binding's filters and select list checked against one published table
// as realtime.subscription_check_filters does in Supabase, each filter's
// operands normalized by PostgreSQL for the evaluation of changes.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <libpq-fe.h>
#include <tl/expected.hpp>

#include "rt/db/connection.hpp"
#include "rt/db/published_tables.hpp"
#include "rt/replication/filter.hpp"

namespace rt::db {

/// Most values an `in` filter may list, counted at the top level of its
/// array as Supabase counts them.
inline constexpr std::size_t max_in_values = 100;

/// Checks `filters` in order against `t`, appending one filter_operands per
/// filter to `t.info.filters`. The first failure is returned as Supabase's
/// trigger raises it (SQLSTATE P0001 with its text) or as PostgreSQL
/// reports a value that does not fit the column type.
[[nodiscard]] tl::expected<void, db_error>
check_filters(PGconn* conn, published_table& t,
              const std::vector<replication::filter_condition>& filters);

/// Every name of `select` (nullopt: all columns) is a column of `t` the role
/// may select; otherwise "invalid column for select <name>" (P0001).
[[nodiscard]] tl::expected<void, db_error>
check_select(const table_info& t, const std::optional<std::vector<std::string>>& select);

} // namespace rt::db
