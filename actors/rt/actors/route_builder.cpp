#include "rt/actors/route_builder.hpp"

#include <algorithm>

#include "rt/protocol/events.hpp"

namespace rt::actors {

namespace {

namespace wire = protocol::wire;

std::string qualified(const db::table_info& t) { return t.schema + "." + t.table; }

// Supabase words a refused binding as an exception around its parameters.
std::string refusal(const replication::binding& b, std::string_view what) {
  std::string out{wire::changes_error_exception};
  out.append("[").append(db::params_to_log(spec_of(b))).append("]. Exception: ").append(what);
  return out;
}

// Replaces the two %s of `pattern` with `a` and `b`.
std::string format2(std::string_view pattern, std::string_view a, std::string_view b) {
  std::string out{pattern};
  auto first = out.find("%s");
  out.replace(first, 2, a);
  auto second = out.find("%s", first + a.size());
  out.replace(second, 2, b);
  return out;
}

// A table without a primary key passes: its changes carry the 400 error shape.
bool primary_key_readable(const db::table_info& t) {
  return std::all_of(t.columns.begin(), t.columns.end(),
                     [](const db::column_info& c) { return !c.primary_key || c.selectable; });
}

// What the subscriber sees: the selectable columns, narrowed by `select`
// (the primary key always stays); null for every column, present and future,
// which only a role with SELECT on the table itself may get (one that reads
// each column by a column grant must not see a column added later).
replication::column_selection selection_of(const replication::binding& b,
                                           const db::table_info& t) {
  std::vector<std::string> names;
  bool all = t.table_selectable;
  for (const auto& c : t.columns) {
    bool chosen = !b.select || c.primary_key ||
                  std::find(b.select->begin(), b.select->end(), c.name) != b.select->end();
    if (c.selectable && chosen)
      names.push_back(c.name);
    else
      all = false;
  }
  if (all)
    return nullptr;
  return std::make_shared<const std::vector<std::string>>(std::move(names));
}

tl::expected<std::vector<replication::bound_filter>, std::string>
compile_filters(const replication::binding& b, const db::table_info& t) {
  std::vector<replication::bound_filter> out;
  // Each filter was checked for this table; a missing one would widen the match.
  if (t.filters.size() != b.filters.size())
    return tl::unexpected(refusal(b, "the filters could not be checked for table " + qualified(t)));
  for (std::size_t i = 0; i < b.filters.size(); ++i) {
    const auto& operands = t.filters[i];
    const auto& column = t.columns.at(operands.column);
    // A domain compares as its base type, except a domain over an enum, for
    // which PostgreSQL has no comparison operators at all: it compares by
    // label for equality, and ordering is refused.
    bool enum_domain = column.base_type_oid != column.type_oid && !column.enum_labels.empty();
    replication::filter_column type{
      enum_domain ? column.type_oid : column.base_type_oid,
      column.collation.empty() ? "C" : column.collation,
      enum_domain ? std::vector<std::string>{} : column.enum_labels};
    auto compiled = replication::compile_filter(b.filters[i], type, operands.operands);
    if (!compiled)
      return tl::unexpected(refusal(b, compiled.error()));
    out.push_back({column.name, std::move(*compiled)});
  }
  return out;
}

} // namespace

db::binding_spec spec_of(const replication::binding& b) {
  return {b.event, b.schema, b.table, b.filters, b.select};
}

tl::expected<std::vector<replication::change_route>, std::string>
build_routes(std::uint64_t subscriber, const std::string& role, const replication::binding& b,
             const std::vector<db::table_info>& tables) {
  // A binding over several tables (a `*`, or a name that is a LIKE pattern
  // matching more than one) leaves out the tables whose primary key the role
  // may not read and is refused only when none is left; a single table is
  // refused outright.
  bool wildcard = b.schema == "*" || b.table == "*" || tables.size() > 1;
  std::string refused;
  std::vector<replication::change_route> routes;
  for (const auto& t : tables) {
    std::string why;
    if (!primary_key_readable(t))
      why = refusal(b, format2(wire::changes_error_primary_key_hidden, role, qualified(t)));
    if (!why.empty()) {
      if (!wildcard)
        return tl::unexpected(why);
      if (refused.empty())
        refused = std::move(why);
      continue;
    }
    auto filters = compile_filters(b, t);
    if (!filters)
      return tl::unexpected(filters.error());
    // Under row level security the rows are checked per change with the
    // subscriber's identity (visibility_checker), unless its role bypasses it.
    routes.push_back({subscriber, b.id, t.relid, b.event_bits(), std::move(*filters),
                      selection_of(b, t), t.row_security, t.row_security && !t.role_bypasses_rls});
  }
  if (routes.empty() && !refused.empty())
    return tl::unexpected(refused);
  return routes;
}

} // namespace rt::actors
