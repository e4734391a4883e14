#include "rt/db/catalog.hpp"

#include <algorithm>

#include "rt/db/connection.hpp"
#include "rt/db/elixir_inspect.hpp"
#include "rt/db/filter_check.hpp"
#include "rt/db/postgrex_error.hpp"
#include "rt/db/published_tables.hpp"

namespace rt::db {

namespace {

std::string not_enabled_error(const binding_spec& b) {
  return "Unable to subscribe to changes with given parameters. Please check Realtime is enabled "
         "for the given connect parameters: [" +
         params_to_log(b) + "]";
}

std::string exception_error(const binding_spec& b, const db_error& e) {
  return "Unable to subscribe to changes with given parameters. An exception happened so please "
         "check your connect parameters: [" +
         params_to_log(b) + "]. Exception: " + postgrex_message(e);
}

// Supabase sends the whole binding to PostgreSQL in one query, which
// refuses a NUL byte in any of it before looking at anything.
bool binding_has_nul(const binding_spec& b) {
  auto filter_has_nul = [](const replication::filter_condition& f) {
    return has_nul_byte(f.column) || has_nul_byte(f.value);
  };
  return has_nul_byte(b.event) || has_nul_byte(b.schema) || has_nul_byte(b.table) ||
         std::any_of(b.filters.begin(), b.filters.end(), filter_has_nul) ||
         (b.select && std::any_of(b.select->begin(), b.select->end(),
                                  [](const std::string& s) { return has_nul_byte(s); }));
}

} // namespace

std::string params_to_log(const binding_spec& b) {
  std::string out = "event: " + b.event + ", schema: " + b.schema + ", table: " + b.table;
  out += ", filters: " + inspect_filters(b.filters);
  out += ", select: " + (b.select ? inspect_strings(*b.select) : std::string{"nil"});
  return out;
}

tl::expected<std::vector<table_info>, std::string>
resolve_binding(PGconn* conn, const std::string& publication, const std::string& role,
                const binding_spec& b) {
  if (binding_has_nul(b))
    return tl::unexpected(exception_error(b, nul_byte_error()));
  auto found = read_published_tables(conn, publication, role, b.schema, b.table);
  if (!found)
    return tl::unexpected(exception_error(b, found.error()));
  if (found->tables.empty())
    return tl::unexpected(not_enabled_error(b));
  if (!found->role_exists)
    return tl::unexpected(exception_error(b, db_error{"42704", "role \"" + role + "\" does not exist"}));
  std::vector<table_info> out;
  for (auto& t : found->tables) {
    auto checked = check_filters(conn, t, b.filters).and_then([&] {
      return check_select(t.info, b.select);
    });
    if (!checked)
      return tl::unexpected(exception_error(b, checked.error()));
    out.push_back(std::move(t.info));
  }
  return out;
}

} // namespace rt::db
