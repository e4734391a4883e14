#include "rt/actors/slot_upkeep.hpp"

#include <thread>

#include <spdlog/spdlog.h>

#include "rt/db/slot_admin.hpp"
#include "rt/db/wal_stream.hpp"

namespace rt::actors {

namespace {

using clock_type = std::chrono::steady_clock;

// The error of a call that found no working session.
tl::unexpected<db::db_error> no_session() {
  return tl::unexpected(db::db_error{"", "no database session"});
}

} // namespace

tl::expected<void, std::string> slot_upkeep::connect() {
  if (conn_ && PQstatus(conn_.get()) == CONNECTION_OK)
    return {};
  auto c = db::connect(cfg_, db::session_kind::regular);
  if (!c) {
    conn_.reset();
    return tl::unexpected(c.error().message);
  }
  conn_ = std::move(*c);
  if (!warned_) {
    warned_ = true;
    auto keep = db::max_slot_wal_keep_size_mb(conn_.get());
    if (keep && *keep < 0)
      spdlog::warn("replication: max_slot_wal_keep_size is unlimited: while this server is "
                   "down or behind, slot {} keeps WAL without bound",
                   cfg_.slot_name);
  }
  return {};
}

PGconn* slot_upkeep::session() {
  return connect() ? conn_.get() : nullptr;
}

tl::expected<void, std::string> slot_upkeep::ensure_publication() {
  auto* conn = session();
  if (conn == nullptr)
    return tl::unexpected(std::string{"no database session"});
  auto exists = db::publication_exists(conn, cfg_.publication);
  if (!exists)
    return tl::unexpected(exists.error().message);
  if (*exists)
    return {};
  if (!settings_.create_publication)
    return tl::unexpected("publication " + cfg_.publication + " does not exist");
  if (auto made = db::create_publication(conn, cfg_.publication); !made)
    return tl::unexpected(made.error().message);
  spdlog::info("replication: created publication {}", cfg_.publication);
  return {};
}

replication::relation_facts slot_upkeep::relation_facts(const replication::relation_message& r) {
  auto* conn = session();
  auto facts = conn != nullptr ? db::read_relation_facts(conn, r.relid) : no_session();
  if (facts)
    return *facts;
  // Without the catalog, the replica identity is the best guess for the key
  // (under the default identity it is the primary key), and the stream's
  // OIDs describe the types.
  spdlog::warn("replication: catalog facts of {}.{} unknown: {}", r.schema, r.table,
               facts.error().message);
  replication::relation_facts guess;
  for (const auto& c : r.columns)
    if (c.key)
      guess.primary_key.push_back(c.name);
  return guess;
}

bool slot_upkeep::check_due() const {
  return clock_type::now() >= next_check_;
}

bool slot_upkeep::retains_too_much() {
  next_check_ = clock_type::now() + settings_.lag_check_interval;
  auto* conn = session();
  if (conn == nullptr)
    return false;
  auto status = db::read_slot_status(conn, cfg_.slot_name);
  if (!status || !*status)
    return false;
  auto retained = (*status)->retained_bytes;
  metrics_->retained_wal_bytes.store(retained);
  // Logged at info at most once a minute, at debug otherwise.
  auto now = clock_type::now();
  auto level = now >= next_log_ ? spdlog::level::info : spdlog::level::debug;
  if (level == spdlog::level::info)
    next_log_ = now + std::chrono::minutes{1};
  spdlog::log(level, "replication: slot {} retains {} bytes of WAL ({})", cfg_.slot_name,
              retained, (*status)->wal_status);
  if (settings_.max_retained_bytes <= 0 || retained <= settings_.max_retained_bytes)
    return false;
  spdlog::error("replication: slot {} retains {} bytes of WAL, more than the {} allowed; "
                "dropping and recreating it (changes until then are skipped)",
                cfg_.slot_name, retained, settings_.max_retained_bytes);
  return true;
}

bool slot_upkeep::drop_slot(const std::atomic<bool>& stop) {
  // The walsender releases the slot shortly after its connection closes.
  for (int attempt = 0; attempt < 50 && !stop.load(); ++attempt) {
    auto* conn = session();
    auto dropped = conn != nullptr ? db::drop_slot(conn, cfg_.slot_name) : no_session();
    if (dropped) {
      metrics_->retained_wal_bytes.store(-1);
      return true;
    }
    if (dropped.error().sqlstate != db::sqlstate_object_in_use) {
      spdlog::error("replication: cannot drop slot {}: {}", cfg_.slot_name,
                    dropped.error().message);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{200});
  }
  return false;
}

} // namespace rt::actors
