#pragma once

// What every database session of the server runs with, whatever the
// database, role or server configuration says: the settings that decide how
// values are written as text (replicated values and filter operands are
// compared as PostgreSQL's text output, see replication/value_json.hpp and
// replication/filter_eval.hpp), TCP keepalives, and timeouts bounding how
// long a blocking call can wait on a silent or stuck server.

#include <array>
#include <chrono>
#include <string>
#include <string_view>

namespace rt::db {

/// How a connection is used.
enum class session_kind { regular, replication };

/// A run-time parameter set for the whole session.
struct session_setting {
  std::string_view name;
  std::string_view value;
};

/// Output settings of every session, replication included (the walsender's
/// output functions write pgoutput's text values under them). Client
/// settings take precedence over ALTER DATABASE / ALTER ROLE ones.
inline constexpr std::array<session_setting, 5> pinned_settings{{
  {"DateStyle", "ISO,MDY"},
  {"IntervalStyle", "postgres"},
  {"TimeZone", "UTC"},
  {"bytea_output", "hex"},
  {"extra_float_digits", "1"},
}};

/// Longest a statement of a regular session may run before the server
/// cancels it (SQLSTATE 57014). Replication sessions have no limit.
inline constexpr std::chrono::milliseconds statement_timeout{10'000};

/// Longest connect() waits for the server to accept a connection.
inline constexpr std::chrono::seconds connect_timeout{10};

/// TCP keepalives: the first probe after this much idle time...
inline constexpr std::chrono::seconds keepalives_idle{10};
/// ...then one probe per interval...
inline constexpr std::chrono::seconds keepalives_interval{5};
/// ...and the connection is dead after this many unanswered probes.
inline constexpr int keepalives_count = 3;

/// Longest sent data may stay unacknowledged before the kernel drops the
/// connection (TCP_USER_TIMEOUT); also bounds a write to a vanished server.
inline constexpr std::chrono::milliseconds tcp_user_timeout{
  keepalives_idle + keepalives_interval * keepalives_count};

/// About the longest one blocking call (exec) on a regular session can take
/// when the statement runs too long or the server stops answering: by then
/// it has returned an error. Timeouts of requests waiting on such calls
/// should exceed it.
inline constexpr std::chrono::milliseconds blocking_call_bound =
  statement_timeout + tcp_user_timeout;

/// The `options` connection parameter for `kind`: "-c name=value ..." for
/// every pinned setting, plus statement_timeout for a regular session.
[[nodiscard]] std::string session_options(session_kind kind);

} // namespace rt::db
