#include "rt/db/wal_stream.hpp"

#include <algorithm>
#include <chrono>

#include "rt/replication/walsender.hpp"

namespace rt::db {

namespace {

constexpr std::string_view sqlstate_duplicate_object = "42710";

bool plain_identifier(std::string_view name, bool upper_allowed) {
  if (name.empty() || name.size() > 63)
    return false;
  return std::all_of(name.begin(), name.end(), [upper_allowed](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           (upper_allowed && c >= 'A' && c <= 'Z');
  });
}

std::int64_t postgres_now_us() {
  auto unix_us = std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  return unix_us - replication::postgres_epoch_offset_us;
}

tl::expected<void, db_error> create_slot(PGconn* conn, const std::string& slot, bool* created) {
  auto r = exec_simple(conn, "CREATE_REPLICATION_SLOT " + slot + " LOGICAL pgoutput NOEXPORT_SNAPSHOT");
  if (r) {
    if (created != nullptr)
      *created = true;
    return {};
  }
  if (r.error().sqlstate == sqlstate_duplicate_object)
    return {};
  return tl::unexpected(r.error());
}

} // namespace

wal_stream::wal_stream(wal_stream&& other) noexcept
  : conn_(std::move(other.conn_)), start_(other.start_),
    buffer_(std::exchange(other.buffer_, nullptr)), pending_output_(other.pending_output_) {}

wal_stream& wal_stream::operator=(wal_stream&& other) noexcept {
  release_buffer();
  conn_ = std::move(other.conn_);
  start_ = other.start_;
  buffer_ = std::exchange(other.buffer_, nullptr);
  pending_output_ = other.pending_output_;
  return *this;
}

wal_stream::~wal_stream() { release_buffer(); }

void wal_stream::release_buffer() {
  if (buffer_ != nullptr)
    PQfreemem(buffer_);
  buffer_ = nullptr;
}

namespace {

// Disarms an interrupter when the blocking part of open() ends.
struct armed {
  interrupter* stop;
  ~armed() {
    if (stop != nullptr)
      stop->disarm();
  }
};

} // namespace

tl::expected<wal_stream, db_error> wal_stream::open(const database_config& cfg, bool* created,
                                                    interrupter* stop) {
  if (created != nullptr)
    *created = false;
  if (!valid_slot_name(cfg.slot_name) || !valid_publication_name(cfg.publication))
    return tl::unexpected(db_error{{}, "invalid slot or publication name"});
  auto conn = connect(cfg, session_kind::replication);
  if (!conn)
    return tl::unexpected(conn.error());
  armed guard{stop};
  if (stop != nullptr && !stop->arm(conn->get()))
    return tl::unexpected(db_error{{}, "stopping"});
  if (auto made = create_slot(conn->get(), cfg.slot_name, created); !made)
    return tl::unexpected(made.error());
  // Where the stream will resume: only the session streaming a slot moves
  // it, and if another one does, START_REPLICATION below fails.
  auto confirmed = exec_simple(conn->get(), "SELECT (confirmed_flush_lsn - '0/0')::bigint FROM "
                                            "pg_replication_slots WHERE slot_name = '" +
                                              cfg.slot_name + "'");
  if (!confirmed)
    return tl::unexpected(confirmed.error());
  auto resume_after = static_cast<std::uint64_t>(field_int(confirmed->get(), 0, 0));
  // Both names were checked to be plain identifiers above.
  auto start = "START_REPLICATION SLOT " + cfg.slot_name +
               " LOGICAL 0/0 (proto_version '1', publication_names '\"" + cfg.publication + "\"')";
  auto started = exec_simple(conn->get(), start);
  if (!started)
    return tl::unexpected(started.error());
  if (PQsetnonblocking(conn->get(), 1) != 0)
    return tl::unexpected(connection_error(conn->get()));
  wal_stream s;
  s.conn_ = std::move(*conn);
  s.start_ = resume_after;
  return s;
}

int wal_stream::socket() const { return PQsocket(conn_.get()); }

tl::expected<std::optional<std::string_view>, db_error> wal_stream::next() {
  release_buffer();
  for (int attempt = 0; attempt < 2; ++attempt) {
    int n = PQgetCopyData(conn_.get(), &buffer_, 1);
    if (n > 0)
      return std::optional<std::string_view>{std::string_view{buffer_, static_cast<std::size_t>(n)}};
    if (n == -1) {
      // The copy ended: the server reports why in the final result.
      result r{PQgetResult(conn_.get())};
      if (r && PQresultStatus(r.get()) != PGRES_COMMAND_OK)
        return tl::unexpected(result_error(conn_.get(), r.get()));
      return tl::unexpected(connection_error(conn_.get()));
    }
    if (n < -1)
      return tl::unexpected(connection_error(conn_.get()));
    // Nothing buffered: read what the socket has, then look again once.
    if (attempt == 0 && PQconsumeInput(conn_.get()) == 0)
      return tl::unexpected(connection_error(conn_.get()));
  }
  return std::optional<std::string_view>{};
}

tl::expected<void, db_error> wal_stream::send_status(std::uint64_t flushed, bool reply_now) {
  auto msg = replication::encode_standby_status(flushed, flushed, flushed, postgres_now_us(),
                                                reply_now);
  if (PQputCopyData(conn_.get(), msg.data(), static_cast<int>(msg.size())) != 1)
    return tl::unexpected(connection_error(conn_.get()));
  return flush();
}

bool wal_stream::wants_write() const { return pending_output_; }

tl::expected<void, db_error> wal_stream::flush() {
  int rc = PQflush(conn_.get());
  if (rc < 0)
    return tl::unexpected(connection_error(conn_.get()));
  pending_output_ = rc == 1;
  return {};
}

bool valid_slot_name(std::string_view name) { return plain_identifier(name, false); }

bool valid_publication_name(std::string_view name) { return plain_identifier(name, true); }

} // namespace rt::db
