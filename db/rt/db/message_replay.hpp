#pragma once

// The stored broadcasts of a private topic that a join asks to be replayed
// (config.broadcast.replay): rows of realtime.messages with the topic,
// private, extension broadcast, inserted at or after `since` and before a
// minute from now; the newest `limit` of them, oldest first, rows of one
// transaction in the order they were inserted. Asked as the server's own
// user: the caller checked the client's read permission. inserted_at holds
// UTC (as on Supabase). Blocking: call from a thread of its own.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "rt/db/connection.hpp"

namespace rt::db {

/// One broadcast row.
struct stored_message {
  std::string id;
  std::string event;
  /// JSON text of `payload` when there is no binary payload.
  std::string payload_json;
  /// `binary_payload`, when set.
  std::optional<std::string> binary;
};

/// The messages to replay (see above); rows without an event or payload
/// are left out.
tl::expected<std::vector<stored_message>, db_error>
replay_messages(PGconn* conn, const std::string& topic, std::int64_t since_ms,
                std::int64_t limit);

} // namespace rt::db
