#pragma once

// The `filter` of a postgres_changes binding, parsed as Supabase Realtime
// parses it: `column=[not.]op.value`, several joined by commas (AND). Commas
// inside parentheses or inside a double-quoted value do not split; a value in
// double quotes loses them and its backslash escapes; `in.(a,b)` becomes the
// array literal `{a,b}`. A blank filter means no condition.

#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace rt::replication {

enum class filter_op { eq, neq, lt, lte, gt, gte, in, like, ilike, is, match, imatch, isdistinct };

struct filter_condition {
  std::string column;
  filter_op op = filter_op::eq;
  std::string value; ///< unquoted; for `in` an array literal "{a,b}"
  bool negate = false;

  friend bool operator==(const filter_condition&, const filter_condition&) = default;
};

/// Parses `filter`. The error is the join's error text, exactly as Supabase
/// words it (e.g. "Error parsing `filter` params: [\"foo\", \"hey\"]").
[[nodiscard]] tl::expected<std::vector<filter_condition>, std::string>
parse_filter(std::string_view filter);

/// The operator's name as written in a filter ("eq", "isdistinct", ...).
[[nodiscard]] std::string_view to_string(filter_op op) noexcept;

} // namespace rt::replication
