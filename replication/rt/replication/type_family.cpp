#include "rt/replication/type_family.hpp"

#include "rt/replication/type_names.hpp"

namespace rt::replication::detail {

family family_of(const filter_column& column) noexcept {
  if (!column.enum_labels.empty())
    return family::enumeration;
  switch (column.type_oid) {
    case 20: case 21: case 23: case 26: return family::integer;
    case 700: return family::float4;
    case 701: return family::float8;
    case 1700: return family::numeric;
    case 16: return family::boolean;
    case 19: case 25: case 1043: return family::text;
    case 1042: return family::bpchar;
    case 18: return family::single_char;
    case 2950: return family::uuid;
    case 1082: return family::date;
    case 1083: return family::time;
    case 1266: return family::timetz;
    case 1114: return family::timestamp;
    case 1184: return family::timestamptz;
    case 1186: return family::interval;
    case 3802: return family::jsonb;
    // json, xml, point, lseg, path, box, polygon, line, circle,
    // txid_snapshot, jsonpath, pg_snapshot: no `=`, or one that is fuzzy or
    // compares areas, so text identity would give other answers.
    case 114: case 142: case 600: case 601: case 602: case 603: case 604:
    case 628: case 718: case 2970: case 4072: case 5038:
      return family::no_equality;
    default: return family::other;
  }
}

bool has_equality(family f) noexcept { return f != family::no_equality; }

bool has_ordering(family f) noexcept {
  return f != family::no_equality && f != family::jsonb && f != family::other;
}

bool is_textual(family f) noexcept { return f == family::text || f == family::bpchar; }

std::string type_label(const filter_column& column) {
  auto name = builtin_type_name(column.type_oid);
  if (!name.empty())
    return std::string{name};
  auto oid = std::to_string(column.type_oid);
  return column.enum_labels.empty() ? "type oid " + oid : "enum (type oid " + oid + ")";
}

} // namespace rt::replication::detail
