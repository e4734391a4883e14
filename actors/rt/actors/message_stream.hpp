#pragma once

// Database broadcast: rows inserted into realtime.messages (by
// realtime.send, realtime.broadcast_changes or plain INSERTs) reach the
// channels of their topic as user broadcasts with meta {"id": <row id>},
// private rows only private channels and public rows only public ones.
//
// A WAL reader thread of its own streams the publication
// supabase_realtime_messages_publication (created by the schema's migration)
// through a permanent slot. A transaction is confirmed to PostgreSQL once
// pubsub queued its broadcasts to the subscribers' connections, so a restart
// resumes after the last transaction handed on rather than at the WAL's end
// (Supabase's temporary slot skips what was committed meanwhile).

#include <cstddef>

#include <caf/fwd.hpp>

#include "rt/actors/wal_reader.hpp"
#include "rt/db/config.hpp"

namespace rt::actors {

/// The publication database broadcast streams.
inline constexpr const char* messages_publication = "supabase_realtime_messages_publication";

/// What the message stream is told at spawn.
struct message_stream_options {
  /// The database; its slot_name is the stream's slot.
  db::database_config database;
  wal_reader_settings reader;
  /// The node's pubsub actor.
  caf::actor pubsub;
  /// Larger payloads are dropped (and logged), as for client broadcasts.
  std::size_t max_payload_bytes = 0;
};

/// Spawns the stream (detached: ending its reader joins a thread that may
/// wait on libpq). It streams at once and retries with backoff while the
/// database or the publication is missing.
caf::actor spawn_message_stream(caf::actor_system& sys, message_stream_options options);

} // namespace rt::actors
