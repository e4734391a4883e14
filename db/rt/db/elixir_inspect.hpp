#pragma once

// Elixir's `inspect(term, pretty: true)` (Elixir 1.19: width 80, limit 100,
// printable_limit 4096) for the terms Supabase writes into its binding
// errors: lists of strings and lists of filter tuples. Strings are shown as
// Elixir shows binaries: in double quotes with Elixir's escapes when
// printable, as <<1, 255>> otherwise. Pure.

#include <string>
#include <vector>

#include "rt/replication/filter.hpp"

namespace rt::db {

/// A list of strings: ["id", "title"], broken over lines of 80 columns like
/// Elixir does, at most 100 items before "...".
[[nodiscard]] std::string inspect_strings(const std::vector<std::string>& items);

/// A list of filters as the {column, op, value, negate} tuples Supabase
/// keeps: [{"id", "eq", "1", false}]; each tuple counts 5 against the limit.
[[nodiscard]] std::string inspect_filters(const std::vector<replication::filter_condition>& filters);

} // namespace rt::db
