#pragma once

// Regular-session queries the replication side needs: primary keys of
// streamed tables, the slot's retained WAL, and slot/publication upkeep.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rt/db/connection.hpp"
#include "rt/replication/change_stream.hpp"

namespace rt::db {

/// Table `relid`'s primary key and column types: each column's typname, the
/// type its values convert as (a domain's base type, through any number of
/// domains over domains) and, for arrays, the element type.
[[nodiscard]] tl::expected<replication::relation_facts, db_error>
read_relation_facts(PGconn* conn, std::uint32_t relid);

/// What PostgreSQL says about a replication slot.
struct slot_status {
  /// WAL bytes between the slot's restart position and the current end of
  /// WAL: what the slot keeps on disk.
  std::int64_t retained_bytes = 0;
  /// pg_replication_slots.wal_status: reserved, extended, unreserved or lost.
  std::string wal_status;
  bool active = false;
};

/// The slot's status, or nullopt when it does not exist.
[[nodiscard]] tl::expected<std::optional<slot_status>, db_error>
read_slot_status(PGconn* conn, const std::string& slot);

/// max_slot_wal_keep_size in megabytes; -1 means unlimited.
[[nodiscard]] tl::expected<std::int64_t, db_error> max_slot_wal_keep_size_mb(PGconn* conn);

/// Drops the slot (it must not be in use).
[[nodiscard]] tl::expected<void, db_error> drop_slot(PGconn* conn, const std::string& slot);

/// True when the publication exists.
[[nodiscard]] tl::expected<bool, db_error> publication_exists(PGconn* conn,
                                                              const std::string& publication);

/// Creates an empty publication (tables are added by the database's owner).
[[nodiscard]] tl::expected<void, db_error> create_publication(PGconn* conn,
                                                              const std::string& publication);

} // namespace rt::db
