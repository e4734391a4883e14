#pragma once

// The `realtime` schema objects this server keeps in the database, under the
// names and signatures Supabase Realtime uses, so that existing policies and
// triggers keep working:
//
//   realtime.messages         broadcasts written in the database (and the
//                             rows RLS policies are checked against),
//                             partitioned by day on inserted_at
//   realtime.topic()          the topic of the current check or send
//   realtime.send(jsonb, event, topic, private default true)
//   realtime.send_binary(bytea, event, topic, private default true)
//   realtime.broadcast_changes(topic, event, operation, table, schema,
//                              new record, old record, level default 'ROW')
//
// Migrations are numbered and recorded in realtime.schema_versions; each runs
// once, in one transaction with the others pending, under an advisory lock so
// that nodes starting together do not race. Every statement is written to
// succeed on a database where Supabase created these objects before. Blocking:
// call from a thread of its own.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "rt/db/connection.hpp"

namespace rt::db {

/// One step of the schema.
struct schema_migration {
  std::int64_t version;
  std::string_view name;
  std::string_view sql;
};

/// Every migration, in version order.
[[nodiscard]] const std::vector<schema_migration>& realtime_migrations();

/// Applies the migrations `conn`'s database has not recorded yet; returns
/// the versions applied (none when up to date). On failure nothing is applied.
tl::expected<std::vector<std::int64_t>, db_error> migrate_realtime_schema(PGconn* conn);

/// Days of realtime.messages partitions kept before today (Supabase keeps 72 h).
inline constexpr int message_retention_days = 3;
/// Days of partitions made ahead of today, so that inserts always find one.
inline constexpr int message_days_ahead = 3;

/// Creates the daily partitions realtime.messages_YYYY_MM_DD from yesterday
/// to `message_days_ahead` days after today (UTC, the database's clock) and
/// drops those older than `message_retention_days`. Returns how many were
/// created and dropped.
struct partition_upkeep {
  int created = 0;
  int dropped = 0;
};
tl::expected<partition_upkeep, db_error> keep_message_partitions(PGconn* conn);

} // namespace rt::db
