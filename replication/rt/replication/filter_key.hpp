#pragma once

// A value of a filtered column read from its text output into a form that
// compares as PostgreSQL compares the type. Internal to filter evaluation.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rt/replication/locale_handle.hpp"
#include "rt/replication/pg_datetime.hpp"
#include "rt/replication/pg_number.hpp"
#include "rt/replication/type_family.hpp"

namespace rt::replication::detail {

/// Integers, bools, "char" and enum positions; floats; numerics; dates,
/// times and intervals; strings (text, bpchar trimmed, uuid lowered, jsonb
/// canonical, other types' output as is).
using filter_key = std::variant<std::int64_t, double, decimal, instant, std::string>;

/// `s` read as a value of family `f` (`enum_labels` for an enumeration);
/// nullopt when it is not that type's output or the family has no `=`.
[[nodiscard]] std::optional<filter_key> parse_key(family f,
                                                  const std::vector<std::string>& enum_labels,
                                                  std::string_view s);

/// -1, 0 or 1. Strings compare by bytes, or with `collation` (not null) by
/// strcoll_l with ties broken by bytes; keys of one family always hold the
/// same alternative.
[[nodiscard]] int compare_keys(const filter_key& a, const filter_key& b,
                               const locale_handle* collation);

} // namespace rt::replication::detail
