#pragma once

// The node's Postgres Changes hub: one actor per replication slot. Channels
// subscribe their bindings here; the catalog actor checks them against the
// database; the WAL reader thread (started with the first subscription)
// hands over row changes, which are matched against every route, encoded
// once per distinct frame and written to the subscribers' sockets. Once the
// frames of a transaction left the process, it may be confirmed to PostgreSQL.
//
// System messages to a subscriber: "Subscribed to PostgreSQL" once its
// bindings are registered and the stream runs (a change committed after it
// reaches the client), a refusal (not retried), or a database outage
// (retried; followed by "Subscribed to PostgreSQL" again when it is back).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include <caf/fwd.hpp>

#include "rt/actors/wal_reader.hpp"
#include "rt/db/config.hpp"

namespace rt::actors {

/// What the slot actor is told at spawn.
struct replication_slot_options {
  /// The database, slot and publication to stream.
  db::database_config database;
  /// Limits and periods of its WAL reader.
  wal_reader_settings reader;
  /// Detached actors asking row level security whether subscribers may see
  /// rows (each opens its session on first use); 0 leaves rows of tables
  /// under row level security undelivered to roles that do not bypass it.
  std::size_t visibility_checkers = 2;
  /// Start streaming at once rather than with the first subscription.
  bool start_eagerly = false;
  /// In a cluster, how long a node that was disconnected is waited for:
  /// back within it, it is sent again what it may have missed (at most
  /// reader.max_pending_bytes); later, it hears that it missed changes.
  std::chrono::milliseconds rejoin_grace{30'000};
  /// Figures it keeps up to date for /metrics.
  std::shared_ptr<replication_metrics> metrics = std::make_shared<replication_metrics>();
};

/// Spawns the slot actor (detached: a thread of its own) and its catalog
/// actor. Its WAL reader starts at once and watches the slot; it streams
/// from the first subscription (or at once with `start_eagerly`). Before the
/// sockets close, request stop_streaming_atom (changes_messages.hpp) so that
/// only what left the process is confirmed.
caf::actor spawn_replication_slot(caf::actor_system& sys, replication_slot_options options);

} // namespace rt::actors
