#pragma once

// Date, time and interval output (DateStyle ISO, IntervalStyle postgres,
// TimeZone UTC) read into values that compare as PostgreSQL compares them.
// Internal to filter evaluation.

#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace rt::replication::detail {

/// A point in time, time of day or interval, compared member by member.
struct instant {
  std::int64_t high = 0; ///< days (or ±infinity as the int64 limits)
  std::int64_t low = 0;  ///< microseconds within the day
  std::int64_t tie = 0;  ///< timetz: the negated UTC offset
  auto operator<=>(const instant&) const = default;
};

/// 'infinity' and '-infinity', beyond every finite value.
inline constexpr instant infinite_future{std::numeric_limits<std::int64_t>::max(), 0, 0};
inline constexpr instant infinite_past{std::numeric_limits<std::int64_t>::min(), 0, 0};

/// YYYY-MM-DD[ BC] with years of four digits or more, or ±infinity.
[[nodiscard]] std::optional<instant> parse_date(std::string_view s);

/// YYYY-MM-DD HH:MM:SS[.f][ BC], or ±infinity.
[[nodiscard]] std::optional<instant> parse_timestamp(std::string_view s);

/// As parse_timestamp with a UTC offset +HH[:MM[:SS]] before the era; the
/// same instant written with different offsets compares equal.
[[nodiscard]] std::optional<instant> parse_timestamptz(std::string_view s);

/// HH:MM:SS[.f], 24:00:00 included.
[[nodiscard]] std::optional<instant> parse_time(std::string_view s);

/// As parse_time with a UTC offset; ordered by the UTC time, then by offset
/// with an eastern zone first, so '10:00+01' < '09:00+00' and they differ.
[[nodiscard]] std::optional<instant> parse_timetz(std::string_view s);

/// "[N year[s]] [N mon[s]] [N day[s]] [[+-]H:MM:SS[.f]]" with each part at
/// most once and in that order (as interval_out writes them), or
/// ±infinity; ordered by total length with 1 mon = 30 days and 1 day = 24
/// hours.
[[nodiscard]] std::optional<instant> parse_interval(std::string_view s);

} // namespace rt::replication::detail
