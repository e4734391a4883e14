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
// (the primary key always stays); null when that is every column.
replication::column_selection selection_of(const replication::binding& b,
                                           const db::table_info& t) {
  std::vector<std::string> names;
  bool all = true;
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
  for (std::size_t i = 0; i < b.filters.size() && i < t.filters.size(); ++i) {
    const auto& operands = t.filters[i];
    const auto& column = t.columns.at(operands.column);
    replication::filter_column type{column.type_oid,
                                    column.collation.empty() ? "C" : column.collation,
                                    column.enum_labels};
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
  // A wildcard binding leaves out the tables the role may not be sent and
  // is refused only when none is left; a named table is refused outright.
  bool wildcard = b.schema == "*" || b.table == "*";
  std::string refused;
  std::vector<replication::change_route> routes;
  for (const auto& t : tables) {
    std::string why;
    if (t.row_security && !t.role_bypasses_rls)
      why = refusal(b, format2(wire::changes_error_row_security, qualified(t), role));
    else if (!primary_key_readable(t))
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
    routes.push_back({subscriber, b.id, t.relid, b.event_bits(), std::move(*filters),
                      selection_of(b, t)});
  }
  if (routes.empty() && !refused.empty())
    return tl::unexpected(refused);
  return routes;
}

} // namespace rt::actors
