#pragma once

// A logical replication stream with pgoutput from a permanent slot, read
// without blocking: the owner waits for socket() to be readable (and
// writable while wants_write()), then calls next() until it has nothing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rt/db/connection.hpp"
#include "rt/db/interrupter.hpp"

namespace rt::db {

/// SQLSTATE of "replication slot is active for another process".
inline constexpr std::string_view sqlstate_object_in_use = "55006";

class wal_stream {
public:
  wal_stream() = default;
  wal_stream(wal_stream&&) noexcept;
  wal_stream& operator=(wal_stream&&) noexcept;
  ~wal_stream();

  /// Connects, creates the slot `cfg.slot_name` (permanent, pgoutput) when
  /// it does not exist, and starts streaming `cfg.publication` from the
  /// slot's confirmed position. Blocking; sets the connection non-blocking
  /// once streaming. `created` tells whether the slot was new. With `stop`,
  /// another thread can interrupt the slot's creation and the start.
  [[nodiscard]] static tl::expected<wal_stream, db_error> open(const database_config& cfg,
                                                               bool* created = nullptr,
                                                               interrupter* stop = nullptr);

  /// The slot's confirmed position when the stream started: PostgreSQL
  /// sends the transactions that commit after it.
  [[nodiscard]] std::uint64_t start_position() const noexcept { return start_; }

  /// The connection's socket, for poll().
  [[nodiscard]] int socket() const;

  /// The next CopyData payload, valid until the next call; nullopt when
  /// nothing more can be read without blocking. An error ends the stream.
  [[nodiscard]] tl::expected<std::optional<std::string_view>, db_error> next();

  /// Queues a standby status update confirming `flushed` and flushes what it can.
  [[nodiscard]] tl::expected<void, db_error> send_status(std::uint64_t flushed, bool reply_now);

  /// True while queued output waits for the socket to become writable.
  [[nodiscard]] bool wants_write() const;

  /// Sends queued output that fits now.
  [[nodiscard]] tl::expected<void, db_error> flush();

private:
  void release_buffer();

  connection conn_;
  std::uint64_t start_ = 0;
  char* buffer_ = nullptr;
  bool pending_output_ = false;
};

/// True when `name` can be a replication slot name (lower-case letters,
/// digits and underscores, at most 63 characters), as PostgreSQL requires.
[[nodiscard]] bool valid_slot_name(std::string_view name);

/// True when `name` is a plain identifier usable as a publication name here
/// (letters, digits, underscores, at most 63 characters).
[[nodiscard]] bool valid_publication_name(std::string_view name);

} // namespace rt::db
