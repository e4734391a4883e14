#include "rt/db/filter_check.hpp"

#include <string_view>
#include <utility>

namespace rt::db {

namespace {

using replication::filter_condition;
using replication::filter_op;
using operands_or_error = tl::expected<std::vector<std::optional<std::string>>, db_error>;

constexpr Oid text_oid = 25;
constexpr Oid int4_oid = 23;
constexpr Oid bool_oid = 16;
constexpr std::string_view sqlstate_invalid_regular_expression = "2201B";

// What `raise exception '...'` in realtime.subscription_check_filters raises.
db_error raised(std::string message) { return db_error{"P0001", std::move(message)}; }

std::optional<std::string> optional_text(const PGresult* r, int row, int col) {
  auto v = field(r, row, col);
  return v ? std::optional<std::string>{*v} : std::nullopt;
}

// `value` read by the input function of type `type`, in its canonical output.
operands_or_error cast_value(PGconn* conn, const std::string& value, Oid type) {
  auto r = exec(conn, "SELECT $1", {value}, {type});
  if (!r)
    return tl::unexpected(r.error());
  return std::vector<std::optional<std::string>>{optional_text(r->get(), 0, 0)};
}

// The array literal `value` ("{a,b}") of the column's type: its length at
// the top level, then (only when that is within the limit) one row per
// element, in storage order.
constexpr const char* in_values_sql = R"sql(
SELECT c.n, e.v
FROM (SELECT coalesce(pg_catalog.array_length($1, 1), 0) AS n) c
LEFT JOIN LATERAL pg_catalog.unnest(CASE WHEN c.n <= $2 THEN $1 END) AS e(v) ON true
)sql";

operands_or_error cast_in_values(PGconn* conn, const std::string& value, const column_extra& x) {
  if (x.array_type == 0)
    return tl::unexpected(db_error{"42704", "type \"" + x.regtype + "[]\" does not exist"});
  auto r = exec(conn, in_values_sql, {value, std::to_string(max_in_values)}, {x.array_type, int4_oid});
  if (!r)
    return tl::unexpected(r.error());
  auto count = field_int(r->get(), 0, 0);
  if (count > static_cast<std::int64_t>(max_in_values))
    return tl::unexpected(raised("too many values for `in` filter. Maximum " +
                                 std::to_string(max_in_values)));
  std::vector<std::optional<std::string>> out;
  if (count == 0)
    return out;
  for (int row = 0; row < PQntuples(r->get()); ++row)
    out.push_back(optional_text(r->get(), row, 1));
  return out;
}

operands_or_error check_is(const filter_condition& f, const column_info& c, const column_extra& x) {
  const auto& v = f.value;
  if (v != "null" && v != "true" && v != "false" && v != "unknown")
    return tl::unexpected(raised("invalid value for is filter: must be null, true, false, or unknown"));
  // Supabase compares the column's own type: a domain over boolean is refused.
  if (v != "null" && c.type_oid != bool_oid)
    return tl::unexpected(raised("is " + v + " filter requires a boolean column, got " + x.regtype));
  return std::vector<std::optional<std::string>>{v};
}

db_error not_text_compatible(const filter_condition& f, const column_extra& x) {
  return raised("operator " + std::string{replication::to_string(f.op)} +
                " requires a text-compatible column type, got " + x.regtype);
}

operands_or_error check_like(const filter_condition& f, const column_extra& x) {
  if (!x.has_like)
    return tl::unexpected(not_text_compatible(f, x));
  return std::vector<std::optional<std::string>>{f.value};
}

// Only an invalid pattern is reworded; a lost connection, a cancelled
// statement or an encoding error stays what it is.
operands_or_error check_match(PGconn* conn, const filter_condition& f, const column_extra& x) {
  if (!(f.op == filter_op::imatch ? x.has_imatch : x.has_match))
    return tl::unexpected(not_text_compatible(f, x));
  auto r = exec(conn, "SELECT '' OPERATOR(pg_catalog.~) $1", {f.value}, {text_oid});
  if (!r && r.error().sqlstate == sqlstate_invalid_regular_expression)
    return tl::unexpected(raised("invalid regular expression for " +
                                 std::string{replication::to_string(f.op)} +
                                 " filter: " + r.error().message));
  if (!r)
    return tl::unexpected(r.error());
  return std::vector<std::optional<std::string>>{f.value};
}

operands_or_error filter_operands_for(PGconn* conn, const filter_condition& f, const column_info& c,
                                      const column_extra& x) {
  switch (f.op) {
  case filter_op::in:
    return cast_in_values(conn, f.value, x);
  case filter_op::is:
    return check_is(f, c, x);
  case filter_op::like:
  case filter_op::ilike:
    return check_like(f, x);
  case filter_op::match:
  case filter_op::imatch:
    return check_match(conn, f, x);
  default:
    return cast_value(conn, f.value, c.type_oid);
  }
}

// Index of the column `name` if the role may select it.
std::optional<std::size_t> selectable_column(const table_info& t, const std::string& name) {
  for (std::size_t i = 0; i < t.columns.size(); ++i)
    if (t.columns[i].name == name && t.columns[i].selectable)
      return i;
  return std::nullopt;
}

} // namespace

tl::expected<void, db_error> check_filters(PGconn* conn, published_table& t,
                                           const std::vector<filter_condition>& filters) {
  for (const auto& f : filters) {
    auto index = selectable_column(t.info, f.column);
    if (!index)
      return tl::unexpected(raised("invalid column for filter " + f.column));
    auto operands = filter_operands_for(conn, f, t.info.columns[*index], t.extra[*index]);
    if (!operands)
      return tl::unexpected(operands.error());
    t.info.filters.push_back({*index, std::move(*operands)});
  }
  return {};
}

tl::expected<void, db_error> check_select(const table_info& t,
                                          const std::optional<std::vector<std::string>>& select) {
  if (select)
    for (const auto& name : *select)
      if (!selectable_column(t, name))
        return tl::unexpected(raised("invalid column for select " + name));
  return {};
}

} // namespace rt::db
