#include "rt/replication/filter_key.hpp"

#include <string.h>

#include <type_traits>

#include "rt/replication/jsonb_canonical.hpp"
#include "rt/replication/pg_scalar.hpp"

namespace rt::replication::detail {

namespace {

template <class T> std::optional<filter_key> as_key(std::optional<T> parsed) {
  if (!parsed)
    return std::nullopt;
  return filter_key{std::move(*parsed)};
}

// PostgreSQL's rule for deterministic collations: the locale's order, with
// byte order breaking its ties.
int compare_strings(const std::string& a, const std::string& b, const locale_handle* collation) {
  if (collation && a != b)
    if (int c = strcoll_l(a.c_str(), b.c_str(), collation->get()); c != 0)
      return sign_of(c);
  return sign_of(a.compare(b));
}

} // namespace

std::optional<filter_key> parse_key(family f, const std::vector<std::string>& enum_labels,
                                    std::string_view s) {
  switch (f) {
    case family::integer: return as_key(parse_integer(s));
    case family::float4: return as_key(parse_float4(s));
    case family::float8: return as_key(parse_float8(s));
    case family::numeric: return as_key(parse_decimal(s));
    case family::boolean: return as_key(parse_bool(s));
    case family::text: case family::other: return filter_key{std::string{s}};
    case family::bpchar: return filter_key{trim_trailing_spaces(s)};
    case family::single_char: return as_key(parse_single_char(s));
    case family::uuid: return as_key(parse_uuid(s));
    case family::date: return as_key(parse_date(s));
    case family::timestamp: return as_key(parse_timestamp(s));
    case family::timestamptz: return as_key(parse_timestamptz(s));
    case family::time: return as_key(parse_time(s));
    case family::timetz: return as_key(parse_timetz(s));
    case family::interval: return as_key(parse_interval(s));
    case family::enumeration: return as_key(enum_position(enum_labels, s));
    case family::jsonb: return as_key(canonical_jsonb(s));
    case family::no_equality: return std::nullopt;
  }
  return std::nullopt;
}

int compare_keys(const filter_key& a, const filter_key& b, const locale_handle* collation) {
  if (a.index() != b.index())
    return a.index() < b.index() ? -1 : 1;
  return std::visit(
    [&](const auto& x) -> int {
      using T = std::decay_t<decltype(x)>;
      const auto& y = std::get<T>(b);
      if constexpr (std::is_same_v<T, double>)
        return compare_floats(x, y);
      else if constexpr (std::is_same_v<T, decimal>)
        return compare_decimals(x, y);
      else if constexpr (std::is_same_v<T, std::string>)
        return compare_strings(x, y, collation);
      else
        return (x > y) - (x < y);
    },
    a);
}

} // namespace rt::replication::detail
