#pragma once

// Timestamps as PostgreSQL and the server write them, to microseconds since
// the Unix epoch, so that a row's own time (a `clock_timestamp()` column) can
// be compared with CLOCK_REALTIME when the row reaches a client:
//
//   2026-11-23T19:24:44.123456+00:00   (realtime record, row_to_json)
//   2026-11-23 19:24:44.12+00           (pgoutput / wal2json text, DateStyle ISO)
//   2026-11-23T19:24:44Z                (no fraction, UTC designator)
//
// The fraction may have 0..6 digits (more are ignored); the offset may be Z,
// +HH, +HHMM or +HH:MM (minus likewise); none means UTC. Header-only: the
// realtime-bench and the bench/cdc helpers share it.

#include <cstdint>
#include <ctime>
#include <optional>
#include <string_view>

namespace bench {

namespace iso_detail {

inline bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept {
  if (pos + n > s.size())
    return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    unsigned d = static_cast<unsigned char>(s[i]) - '0';
    if (d > 9)
      return false;
    v = v * 10 + static_cast<int>(d);
  }
  out = v;
  return true;
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
// (H. Hinnant's days_from_civil).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

} // namespace iso_detail

/// Microseconds since the epoch of an ISO 8601 / PostgreSQL ISO timestamp
/// (see above); nullopt when `s` does not start with one.
inline std::optional<std::int64_t> parse_iso_us(std::string_view s) noexcept {
  using iso_detail::digits;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, month) ||
      s[7] != '-' || !digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != ' ') ||
      !digits(s, 11, 2, hour) || s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':' ||
      !digits(s, 17, 2, second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31)
    return std::nullopt;
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < s.size()) {
      unsigned d = static_cast<unsigned char>(s[pos]) - '0';
      if (d > 9)
        break;
      if (n < 6) {
        micros = micros * 10 + d;
        ++n;
      }
      ++pos;
    }
    for (; n < 6; ++n)
      micros *= 10;
  }
  std::int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    int oh = 0, om = 0;
    if (!digits(s, pos + 1, 2, oh))
      return std::nullopt;
    pos += 3;
    if (pos < s.size() && s[pos] == ':')
      ++pos;
    if (digits(s, pos, 2, om))
      pos += 2;
    offset_s = sign * (oh * 3600 + om * 60);
  }
  auto days = iso_detail::days_from_civil(year, static_cast<unsigned>(month),
                                          static_cast<unsigned>(day));
  std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  return secs * 1'000'000 + micros;
}

/// CLOCK_REALTIME in microseconds since the epoch (the clock PostgreSQL's
/// clock_timestamp() reads on the same machine).
inline std::int64_t realtime_us() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000;
}

} // namespace bench
