#pragma once

// The `data` object of a Postgres Changes message (Supabase section 6.1):
//
//   {"schema":..,"table":..,"commit_timestamp":..,"type":"INSERT|UPDATE|DELETE",
//    "columns":[{"name":..,"type":..}],"record":{..},"old_record":{..},"errors":null}
//
// INSERT has no old_record, DELETE no record. A table without a primary key
// gets the error shape instead: empty columns and record, a null
// commit_timestamp and "Error 400: Bad Request, no primary key". A record
// larger than the limit keeps only its short values and says "Error 413".

#include <cstdint>
#include <string>
#include <vector>

#include "rt/replication/pgoutput.hpp"
#include "rt/replication/type_names.hpp"

namespace rt::replication {

/// A column's type as the catalog describes it (the stream sends only OIDs,
/// and for a domain the base type's name).
struct column_type {
  /// pg_type.typname of the column's type: `columns[].type` (a domain's own name).
  std::string type_name;
  /// The type whose JSON conversion values follow: a domain's base type.
  std::uint32_t value_oid = 0;
  /// For an array type, its element type; 0 otherwise.
  std::uint32_t element_oid = 0;
};

/// What a change payload is built from; every pointer must be valid.
struct change_context {
  const relation_message* relation = nullptr;
  const type_names* types = nullptr;
  /// Per relation column, from the catalog; empty: the stream's OIDs and
  /// type names are used.
  const std::vector<column_type>* column_types = nullptr;
  /// Per relation column: part of the primary key. Empty means "the replica
  /// identity columns", which is the primary key under REPLICA IDENTITY DEFAULT.
  std::vector<bool> primary_key;
  std::int64_t commit_time = 0; ///< µs since 2000-01-01, from Begin / Commit
  /// Largest record (its JSON text) sent whole; Supabase's default is 1 MiB.
  std::size_t max_record_bytes = 1 << 20;
  /// Per relation column: sent in `columns`, `record` and `old_record`. Empty
  /// means every column (a subscriber's role or `select` may narrow it).
  std::vector<bool> visible;
  /// A delete's old_record keeps only the primary key columns, whatever the
  /// replica identity sent (Supabase's rule for tables under row level
  /// security, whose deleted rows cannot be checked).
  bool old_record_key_only = false;
};

/// Values longer than this survive in a record that was too large.
inline constexpr std::size_t max_value_bytes_when_too_large = 64;

/// The `data` JSON of an insert, update or delete of `ctx.relation`.
[[nodiscard]] std::string change_payload(const change_context& ctx, const insert_message& m);
[[nodiscard]] std::string change_payload(const change_context& ctx, const update_message& m);
[[nodiscard]] std::string change_payload(const change_context& ctx, const delete_message& m);

} // namespace rt::replication
