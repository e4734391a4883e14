#pragma once

// The families filter evaluation sorts column types into: how a type's text
// output is parsed and which operators it has. Internal to filter evaluation.

#include <string>

#include "rt/replication/filter_eval.hpp"

namespace rt::replication::detail {

/// One per way of parsing and comparing a type's output (see filter_eval.hpp).
enum class family {
  integer, float4, float8, numeric, boolean, text, bpchar, single_char, uuid,
  date, time, timetz, timestamp, timestamptz, interval, enumeration, jsonb,
  no_equality, other
};

/// The family of `column`: an enum whenever it has labels, otherwise by
/// type OID (`other` for OIDs not listed).
[[nodiscard]] family family_of(const filter_column& column) noexcept;

/// False for types whose `=` is missing or not an identity of values.
[[nodiscard]] bool has_equality(family f) noexcept;

/// True for the families whose order is modelled.
[[nodiscard]] bool has_ordering(family f) noexcept;

/// text, varchar, name and bpchar: the types patterns apply to.
[[nodiscard]] bool is_textual(family f) noexcept;

/// The column's type as error texts name it: "int4", "enum (type oid N)",
/// "type oid N".
[[nodiscard]] std::string type_label(const filter_column& column);

} // namespace rt::replication::detail
