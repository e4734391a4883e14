#pragma once

// The WAL reader's regular database session: what the replication stream
// itself cannot say. Table facts for Relation messages, the publication's
// existence, and the WAL guard: the slot's retained WAL measured and
// exported, a warning when PostgreSQL would keep WAL for it without bound,
// and the slot dropped when it holds more than allowed. It reconnects on
// use after the session broke. Blocking: the reader thread only.

#include <chrono>
#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "rt/actors/wal_reader.hpp"
#include "rt/db/connection.hpp"
#include "rt/replication/change_stream.hpp"

namespace rt::actors {

class slot_upkeep {
public:
  slot_upkeep(db::database_config cfg, const wal_reader_settings& settings,
              std::shared_ptr<replication_metrics> metrics)
    : cfg_(std::move(cfg)), settings_(settings), metrics_(std::move(metrics)) {}

  /// Connects when there is no working session. The first time it works,
  /// warns when max_slot_wal_keep_size is unlimited.
  [[nodiscard]] tl::expected<void, std::string> connect();

  /// The publication exists (created first when the settings allow it).
  [[nodiscard]] tl::expected<void, std::string> ensure_publication();

  /// Primary key and column types of `r`'s table; without the catalog, a
  /// guess from the message (key columns of the replica identity).
  [[nodiscard]] replication::relation_facts relation_facts(const replication::relation_message& r);

  /// True when a retention check is due (every settings.lag_check_interval).
  [[nodiscard]] bool check_due() const;

  /// Makes the next retention check due at once (a stream just opened, its
  /// slot perhaps new).
  void check_soon() { next_check_ = {}; }

  /// Measures the slot's retained WAL (metric, log); true when it is above
  /// settings.max_retained_bytes and the slot must be dropped.
  [[nodiscard]] bool retains_too_much();

  /// Drops the slot, waiting (at most 10 s, or until `stop`) for its
  /// walsender to release it. True when it is gone.
  [[nodiscard]] bool drop_slot(const std::atomic<bool>& stop);

private:
  PGconn* session();

  db::database_config cfg_;
  wal_reader_settings settings_;
  std::shared_ptr<replication_metrics> metrics_;
  db::connection conn_;
  bool warned_ = false;
  std::chrono::steady_clock::time_point next_check_{};
  std::chrono::steady_clock::time_point next_log_{};
};

} // namespace rt::actors
