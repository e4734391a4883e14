#pragma once

// The thread that reads the replication stream. It owns the libpq
// connections (blocking calls never run on scheduler threads), decodes
// pgoutput into row changes and hands them to the replication_slot actor in
// batches. It confirms a transaction to PostgreSQL only after the actor has
// reported every frame of it written out by every matching socket, and stops
// reading while the actor has too much unhandled, so a lagging server holds
// WAL in PostgreSQL instead of memory. Until the first subscription it only
// watches the slot (the WAL guard).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include <caf/actor.hpp>

#include "rt/db/config.hpp"
#include "rt/db/interrupter.hpp"
#include "rt/replication/walsender.hpp"

namespace rt::actors {

/// Limits and periods of the reader.
struct wal_reader_settings {
  /// Bytes of changes handed to the actor and not yet handled; reading
  /// pauses above it.
  std::size_t max_pending_bytes = 16u << 20;
  /// Largest record sent whole (Supabase's poll_max_record_bytes).
  std::size_t max_record_bytes = 1u << 20;
  /// Standby status updates at least this often.
  std::chrono::milliseconds status_interval{1000};
  /// The slot's retained WAL is measured this often.
  std::chrono::milliseconds lag_check_interval{10'000};
  /// Create the publication when it does not exist.
  bool create_publication = false;
  /// Retained WAL past which the slot is dropped and created anew; 0: never.
  std::int64_t max_retained_bytes = 0;
  /// Reconnect delays double from the first to the last.
  std::chrono::milliseconds min_backoff{500};
  std::chrono::milliseconds max_backoff{30'000};
  /// While another process streams the slot, opening it is tried this often
  /// (how soon this node takes over when that one ends).
  std::chrono::milliseconds standby_retry{500};
};

/// Figures of the replication stream that other threads read (/metrics).
struct replication_metrics {
  /// WAL the slot retains, in bytes; -1 until measured (the reader writes).
  std::atomic<std::int64_t> retained_wal_bytes{-1};
  /// Position last confirmed to PostgreSQL (the reader writes).
  std::atomic<std::uint64_t> confirmed_lsn{0};
  /// Row changes handled and change messages queued (the slot actor writes).
  std::atomic<std::uint64_t> changes{0};
  std::atomic<std::uint64_t> deliveries{0};
  /// True while the stream runs (the slot actor writes).
  std::atomic<bool> streaming{false};
  /// True while this node streams the slot itself (in a cluster, the other
  /// nodes get the changes from it).
  std::atomic<bool> owner{false};
};

/// What the reader and the actor share. Thread-safe.
struct reader_link {
  reader_link();
  ~reader_link();
  reader_link(const reader_link&) = delete;
  reader_link& operator=(const reader_link&) = delete;

  /// End of the last transaction whose frames all left the process, with
  /// every transaction before it (actor writes).
  std::atomic<replication::lsn> handled{0};
  /// Bytes sent to the actor and not yet handled.
  std::atomic<std::size_t> pending_bytes{0};
  /// The position last confirmed to PostgreSQL (reader writes).
  std::atomic<replication::lsn> confirmed{0};
  /// The reader waits for pending_bytes to drop: the actor wakes it.
  std::atomic<bool> paused{false};
  /// Stream (set by the actor, then a wake-up); until then the reader only
  /// watches the slot's retained WAL.
  std::atomic<bool> stream_wanted{false};
  std::atomic<bool> stop{false};
  /// Interrupts the reader's blocking calls (opening the stream) on stop.
  db::interrupter interrupt;

  /// The relations some subscriber watches (actor writes, reader reads):
  /// the reader builds change payloads only for those.
  void watch(std::vector<std::uint32_t> relids);
  /// True when `relid` is watched.
  [[nodiscard]] bool watches(std::uint32_t relid) const;

  /// Wakes the reader (after `handled` moved, or to stop it).
  void wake() const;
  /// The descriptor the reader polls for wake-ups.
  [[nodiscard]] int wake_fd() const { return wake_fd_; }
  /// Clears pending wake-ups.
  void drain_wakeups() const;

private:
  int wake_fd_ = -1;
  mutable std::mutex watched_mutex_;
  std::unordered_set<std::uint32_t> watched_;
};

/// Starts the reader thread on construction; stops and joins it on
/// destruction (blocking: destroy it off the CAF scheduler's threads).
class wal_reader {
public:
  /// Reads for the actor `slot`, which gets wal_batch and stream_event
  /// messages; `metrics` are the figures it keeps up to date.
  wal_reader(db::database_config cfg, wal_reader_settings settings, caf::actor slot,
             std::shared_ptr<replication_metrics> metrics);
  ~wal_reader();
  wal_reader(const wal_reader&) = delete;
  wal_reader& operator=(const wal_reader&) = delete;

  /// What the reader shares with its actor.
  [[nodiscard]] const std::shared_ptr<reader_link>& link() const { return link_; }

  /// Starts streaming (the reader only watches the slot until then).
  void start_streaming();

private:
  std::shared_ptr<reader_link> link_;
  std::thread thread_;
};

} // namespace rt::actors
