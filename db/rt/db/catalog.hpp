#pragma once

// Catalog resolution of a postgres_changes binding: which published tables it
// covers, their columns as the subscribing role sees them, and each filter's
// operands checked and normalized by PostgreSQL. This is what Supabase does
// when it inserts into realtime.subscription (the row per matching published
// table and the trigger realtime.subscription_check_filters), and the errors
// are the texts Supabase sends to the client. Blocking: call it on a thread
// of its own, never on a CAF scheduler thread.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <libpq-fe.h>
#include <tl/expected.hpp>

#include "rt/replication/filter.hpp"

namespace rt::db {

/// A binding as the client sent it, after parsing.
struct binding_spec {
  /// "*", "INSERT", "UPDATE" or "DELETE" (already upper-cased by the caller).
  std::string event = "*";
  /// Schema name or "*"; Supabase's defaults are already applied (a table
  /// without schema means "public", a schema without table means table "*").
  std::string schema = "public";
  /// Table name or "*".
  std::string table = "*";
  /// The parsed `filter` conditions (all must hold).
  std::vector<replication::filter_condition> filters;
  /// The `select` column list, or nullopt for all columns.
  std::optional<std::vector<std::string>> select;
};

/// One column of a resolved table.
struct column_info {
  /// pg_attribute.attname.
  std::string name;
  /// pg_attribute.attnum (> 0).
  std::int16_t attnum = 0;
  /// pg_attribute.atttypid.
  std::uint32_t type_oid = 0;
  /// pg_type.typname ("int4", "text", "_text", a domain's own name...): the
  /// `type` of `columns`.
  std::string type_name;
  /// The type whose semantics filters follow: for a domain its base type,
  /// through domains over domains down to one that is not a domain (int4
  /// for `CREATE DOMAIN posint AS int4`); otherwise type_oid itself.
  std::uint32_t base_type_oid = 0;
  /// Part of the primary key.
  bool primary_key = false;
  /// The role has SELECT on the column (table or column privilege).
  bool selectable = false;
  /// The column's effective collation locale ("C", "POSIX", "C.UTF-8",
  /// "en_US.utf8", an ICU locale...): that of its collation, or the
  /// database's default collation; empty for a non-collatable type.
  std::string collation;
  /// When the base type (base_type_oid) is an enum, its labels in
  /// enumsortorder; empty otherwise.
  std::vector<std::string> enum_labels;
};

/// A binding filter's operands for one table, as PostgreSQL normalized them.
struct filter_operands {
  /// Index of the filter's column in table_info::columns.
  std::size_t column = 0;
  /// eq, neq, lt, lte, gt, gte, isdistinct: the value in the column type's
  /// canonical text output. in: each element's canonical output (nullopt for
  /// NULL). is: the keyword ("null", "true", "false", "unknown"). like,
  /// ilike, match, imatch: the pattern as given.
  std::vector<std::optional<std::string>> operands;
};

/// A published table a binding covers.
struct table_info {
  /// pg_class.oid.
  std::uint32_t relid = 0;
  /// Schema (namespace) name.
  std::string schema;
  /// Table name.
  std::string table;
  /// pg_class.relrowsecurity: row level security is enabled.
  bool row_security = false;
  /// The role is a superuser or has BYPASSRLS.
  bool role_bypasses_rls = false;
  /// The role has SELECT on the table itself (has_table_privilege), not only
  /// on some or all of its current columns: only then may it read a column
  /// added later.
  bool table_selectable = false;
  /// Columns in attnum order (not dropped, attnum > 0), selectable or not.
  std::vector<column_info> columns;
  /// One entry per binding filter, in the binding's order.
  std::vector<filter_operands> filters;
};

/// Every table of publication `publication` whose schema and table names
/// match the binding's (`*` is a wildcard: SQL LIKE without escape, as
/// Supabase matches), ordered by schema and table, with its columns as
/// `role` sees them and each filter validated and normalized for it. The
/// error is the text Supabase sends the client: "Unable to subscribe to
/// changes with given parameters. Please check Realtime is enabled ..." when
/// no table matches, "... An exception happened so please check your connect
/// parameters: [...]. Exception: ERROR <sqlstate> (<condition>) <message>"
/// when the role does not exist, a filter or select column is unknown or not
/// selectable by the role, a value does not fit the column type, a value of
/// the binding contains a NUL byte (22021, as PostgreSQL refuses it), etc.
[[nodiscard]] tl::expected<std::vector<table_info>, std::string>
resolve_binding(PGconn* conn, const std::string& publication, const std::string& role,
                const binding_spec& b);

/// The binding as Supabase writes it into its errors (params_to_log):
/// `event: *, schema: public, table: todos, filters: [{"id", "eq", "1",
/// false}], select: nil` (filters and select as Elixir's pretty inspect).
[[nodiscard]] std::string params_to_log(const binding_spec& b);

} // namespace rt::db
