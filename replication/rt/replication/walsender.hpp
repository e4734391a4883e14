#pragma once

// The streaming replication envelope (PostgreSQL "Streaming Replication
// Protocol"): what arrives in each CopyData from a walsender, and the standby
// status update that goes back. All integers are big-endian; times are
// microseconds since 2000-01-01 00:00 UTC; LSNs are 64-bit WAL positions.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "rt/replication/error.hpp"

namespace rt::replication {

using lsn = std::uint64_t;

/// 'w': one logical decoding message (`payload`, a pgoutput message) that
/// starts at WAL position `start`.
struct xlog_data {
  lsn start = 0;
  lsn wal_end = 0;           ///< the server's current end of WAL
  std::int64_t send_time = 0;
  std::string_view payload;  ///< a view into the decoded buffer
};

/// 'k': the server's keepalive; `reply_requested` demands a status update now.
struct primary_keepalive {
  lsn wal_end = 0;
  std::int64_t send_time = 0;
  bool reply_requested = false;
};

using walsender_message = std::variant<xlog_data, primary_keepalive>;

/// Decodes one CopyData payload from the walsender.
[[nodiscard]] expected<walsender_message> decode_walsender(std::string_view copy_data);

/// The 34-byte 'r' standby status update: `written`, `flushed` and `applied`
/// positions (the slot's confirmed position follows `flushed`), the client's
/// clock, and whether the server should answer at once.
[[nodiscard]] std::string encode_standby_status(lsn written, lsn flushed, lsn applied,
                                                std::int64_t client_time, bool reply_requested);

/// Microseconds between the Unix epoch and PostgreSQL's epoch (2000-01-01).
inline constexpr std::int64_t postgres_epoch_offset_us = 946'684'800'000'000;

/// "X/Y" as PostgreSQL prints an LSN (hex halves, no leading zeros).
[[nodiscard]] std::string format_lsn(lsn position);

} // namespace rt::replication
