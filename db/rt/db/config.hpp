#pragma once

#include <cstdint>
#include <string>

namespace rt::db {

/// Database the server streams changes from (used by Postgres changes).
struct database_config {
  /// DB_HOST: where PostgreSQL listens.
  std::string host = "127.0.0.1";
  /// DB_PORT.
  std::uint16_t port = 5432;
  /// DB_NAME.
  std::string name = "postgres";
  /// DB_USER: needs the REPLICATION attribute for logical replication.
  std::string user = "supabase_admin";
  /// DB_PASSWORD.
  std::string password;
  /// SLOT_NAME: the permanent logical replication slot of this server.
  std::string slot_name = "supabase_realtime_replication_slot";
  /// PUBLICATION: the publication whose tables are streamed.
  std::string publication = "supabase_realtime";
};

} // namespace rt::db
