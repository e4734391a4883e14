#include "rt/replication/pg_datetime.hpp"

#include "rt/replication/text_cursor.hpp"

namespace rt::replication::detail {

namespace {

constexpr std::int64_t usecs_per_second = 1'000'000;
constexpr std::int64_t usecs_per_day = 86'400 * usecs_per_second;

struct civil_date {
  std::int64_t year = 0; // astronomical: 1 BC is 0
  int month = 0;
  int day = 0;
};

bool is_leap(std::int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int days_in_month(std::int64_t year, int month) {
  constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

// Days since 1970-01-01 in the proleptic Gregorian calendar.
std::int64_t days_from_civil(civil_date d) {
  std::int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  std::int64_t year_of_era = y - era * 400;
  std::int64_t month_from_march = d.month > 2 ? d.month - 3 : d.month + 9;
  std::int64_t day_of_year = (153 * month_from_march + 2) / 5 + d.day - 1;
  std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

// A day count and microseconds with the microseconds brought into [0, 1 day).
// The remainder is adjusted rather than the carry multiplied back, which
// could overflow near the interval limits.
instant day_and_time(std::int64_t days, std::int64_t usecs) {
  auto carry = usecs / usecs_per_day;
  auto rest = usecs % usecs_per_day;
  if (rest < 0) {
    rest += usecs_per_day;
    --carry;
  }
  return instant{days + carry, rest, 0};
}

// YYYY-MM-DD with a year of four or more digits; BC is applied later.
std::optional<civil_date> read_date(text_cursor& in) {
  auto year = in.number(1, 9);
  std::optional<std::int64_t> month, day;
  if (year && in.eat('-'))
    month = in.number(2, 2);
  if (month && in.eat('-'))
    day = in.number(2, 2);
  if (!day || *month < 1 || *month > 12 || *day < 1)
    return std::nullopt;
  return civil_date{*year, static_cast<int>(*month), static_cast<int>(*day)};
}

// HH:MM:SS[.ffffff] in microseconds; `max_hour_digits` > 2 for intervals.
std::optional<std::int64_t> read_clock(text_cursor& in, std::size_t max_hour_digits) {
  auto hours = in.number(max_hour_digits > 2 ? 1 : 2, max_hour_digits);
  std::optional<std::int64_t> minutes, seconds, fraction = 0;
  if (hours && in.eat(':'))
    minutes = in.number(2, 2);
  if (minutes && in.eat(':'))
    seconds = in.number(2, 2);
  if (seconds && in.eat('.'))
    fraction = in.fraction();
  if (!seconds || !fraction || *minutes > 59 || *seconds > 60)
    return std::nullopt;
  std::int64_t result = 0;
  std::int64_t below_hour = (*minutes * 60 + *seconds) * usecs_per_second + *fraction;
  if (__builtin_mul_overflow(*hours, 3600 * usecs_per_second, &result) ||
      __builtin_add_overflow(result, below_hour, &result))
    return std::nullopt;
  return result;
}

std::optional<std::int64_t> read_time_of_day(text_cursor& in) {
  auto usecs = read_clock(in, 2);
  if (!usecs || *usecs > usecs_per_day)
    return std::nullopt;
  return usecs;
}

// +HH[:MM[:SS]] or -..., in seconds east of UTC.
std::optional<std::int64_t> read_utc_offset(text_cursor& in) {
  std::int64_t sign = in.eat('-') ? -1 : (in.eat('+') ? 1 : 0);
  auto hours = sign != 0 ? in.number(2, 2) : std::nullopt;
  std::optional<std::int64_t> minutes = 0, seconds = 0;
  if (hours && in.eat(':')) {
    minutes = in.number(2, 2);
    if (minutes && in.eat(':'))
      seconds = in.number(2, 2);
  }
  if (!hours || !minutes || !seconds)
    return std::nullopt;
  return sign * (*hours * 3600 + *minutes * 60 + *seconds);
}

std::optional<instant> parse_infinity(std::string_view s) {
  if (s == "infinity")
    return infinite_future;
  if (s == "-infinity")
    return infinite_past;
  return std::nullopt;
}

// YYYY-MM-DD[ HH:MM:SS[.f][+HH[:MM[:SS]]]][ BC].
std::optional<instant> parse_point(std::string_view s, bool with_time, bool with_zone) {
  if (auto infinite = parse_infinity(s))
    return infinite;
  text_cursor in{s};
  auto date = read_date(in);
  std::optional<std::int64_t> usecs = 0, offset = 0;
  if (date && with_time)
    usecs = in.eat(' ') ? read_time_of_day(in) : std::nullopt;
  if (usecs && with_zone)
    offset = read_utc_offset(in);
  bool bc = in.eat(" BC");
  if (!date || !usecs || !offset || !in.done() || date->year == 0)
    return std::nullopt;
  if (bc)
    date->year = 1 - date->year;
  if (date->day > days_in_month(date->year, date->month))
    return std::nullopt;
  return day_and_time(days_from_civil(*date), *usecs - *offset * usecs_per_second);
}

std::optional<instant> parse_clock_time(std::string_view s, bool with_zone) {
  text_cursor in{s};
  auto usecs = read_time_of_day(in);
  std::optional<std::int64_t> offset = 0;
  if (usecs && with_zone)
    offset = read_utc_offset(in);
  if (!usecs || !offset || !in.done())
    return std::nullopt;
  return instant{0, *usecs - *offset * usecs_per_second, -*offset};
}

// The parts of an interval in the order interval_out writes them.
enum class interval_part { none, years, months, days, clock };

struct interval_parts {
  std::int64_t months = 0;
  std::int64_t days = 0;
  std::int64_t usecs = 0;
  interval_part last = interval_part::none;
};

interval_part unit_of(std::string_view unit) {
  if (unit == "year" || unit == "years")
    return interval_part::years;
  if (unit == "mon" || unit == "mons")
    return interval_part::months;
  if (unit == "day" || unit == "days")
    return interval_part::days;
  return interval_part::none;
}

// "<count> <unit>" with the count already read. Each unit comes once, so
// the sums stay far from overflowing: at most 10 digits per count.
bool add_interval_unit(interval_parts& parts, std::int64_t count, std::string_view unit) {
  auto part = unit_of(unit);
  if (part == interval_part::none || part <= parts.last)
    return false;
  parts.last = part;
  if (part == interval_part::years)
    parts.months += count * 12;
  else if (part == interval_part::months)
    parts.months += count;
  else
    parts.days += count;
  return true;
}

// One field: "[+-]N unit" or, last, "[+-]H:MM:SS[.f]".
bool read_interval_field(text_cursor& in, interval_parts& parts) {
  std::int64_t sign = in.eat('-') ? -1 : 1;
  if (sign > 0)
    in.eat('+');
  text_cursor probe = in;
  auto count = in.number(1, 10);
  if (!count || parts.last == interval_part::clock)
    return false;
  if (in.peek() == ':') {
    auto usecs = read_clock(probe, 10);
    in = probe;
    parts.last = interval_part::clock;
    parts.usecs = sign * usecs.value_or(0);
    return usecs.has_value();
  }
  return in.eat(' ') && add_interval_unit(parts, sign * *count, in.word());
}

} // namespace

std::optional<instant> parse_date(std::string_view s) { return parse_point(s, false, false); }

std::optional<instant> parse_timestamp(std::string_view s) { return parse_point(s, true, false); }

std::optional<instant> parse_timestamptz(std::string_view s) { return parse_point(s, true, true); }

std::optional<instant> parse_time(std::string_view s) { return parse_clock_time(s, false); }

std::optional<instant> parse_timetz(std::string_view s) { return parse_clock_time(s, true); }

// PostgreSQL compares months*30 days + days + time.
std::optional<instant> parse_interval(std::string_view s) {
  if (auto infinite = parse_infinity(s))
    return infinite;
  text_cursor in{s};
  interval_parts parts;
  do {
    if (!read_interval_field(in, parts))
      return std::nullopt;
  } while (in.eat(' '));
  if (!in.done())
    return std::nullopt;
  return day_and_time(parts.months * 30 + parts.days, parts.usecs);
}

} // namespace rt::replication::detail
