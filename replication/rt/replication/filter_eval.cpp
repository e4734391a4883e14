#include "rt/replication/filter_eval.hpp"

#include <locale.h>
#include <regex.h>
#include <string.h>
#include <wctype.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <compare>
#include <limits>
#include <variant>

#include "rt/replication/type_names.hpp"

namespace rt::replication {

namespace {

constexpr std::size_t max_in_values = 100;
constexpr std::int64_t usecs_per_second = 1'000'000;
constexpr std::int64_t usecs_per_day = 86'400 * usecs_per_second;

// ---------------------------------------------------------------- families

enum class family {
  integer, float4, float8, numeric, boolean, text, bpchar, single_char, uuid,
  date, time, timetz, timestamp, timestamptz, interval, enumeration, jsonb,
  no_equality, other
};

family family_of(const filter_column& column) {
  if (!column.enum_labels.empty())
    return family::enumeration;
  switch (column.type_oid) {
    case 20: case 21: case 23: case 26: return family::integer;
    case 700: return family::float4;
    case 701: return family::float8;
    case 1700: return family::numeric;
    case 16: return family::boolean;
    case 19: case 25: case 1043: return family::text;
    case 1042: return family::bpchar;
    case 18: return family::single_char;
    case 2950: return family::uuid;
    case 1082: return family::date;
    case 1083: return family::time;
    case 1266: return family::timetz;
    case 1114: return family::timestamp;
    case 1184: return family::timestamptz;
    case 1186: return family::interval;
    case 3802: return family::jsonb;
    // json, xml, point, lseg, path, box, polygon, line, circle,
    // txid_snapshot, jsonpath, pg_snapshot: no `=`, or one that is fuzzy or
    // compares areas, so text identity would give other answers.
    case 114: case 142: case 600: case 601: case 602: case 603: case 604:
    case 628: case 718: case 2970: case 4072: case 5038:
      return family::no_equality;
    default: return family::other;
  }
}

bool has_equality(family f) { return f != family::no_equality; }

bool has_ordering(family f) {
  return f != family::no_equality && f != family::jsonb && f != family::other;
}

bool is_textual(family f) { return f == family::text || f == family::bpchar; }

std::string type_label(const filter_column& column) {
  auto name = builtin_type_name(column.type_oid);
  if (!name.empty())
    return std::string{name};
  auto oid = std::to_string(column.type_oid);
  return column.enum_labels.empty() ? "type oid " + oid : "enum (type oid " + oid + ")";
}

bool is_c_collation(std::string_view name) { return name == "C" || name == "POSIX"; }

// ---------------------------------------------------------------- locales

struct locale_handle {
  explicit locale_handle(locale_t l) : loc(l) {}
  locale_handle(const locale_handle&) = delete;
  locale_handle& operator=(const locale_handle&) = delete;
  ~locale_handle() { freelocale(loc); }
  locale_t loc;
};

using shared_locale = std::shared_ptr<const locale_handle>;

shared_locale make_locale(int mask, const std::string& name) {
  locale_t l = newlocale(mask, name.c_str(), static_cast<locale_t>(nullptr));
  return l ? std::make_shared<const locale_handle>(l) : nullptr;
}

// LC_CTYPE for character decoding and case folding: the column's locale,
// else C.UTF-8 so that characters are still UTF-8 code points.
shared_locale ctype_locale(const std::string& collation) {
  if (!is_c_collation(collation))
    if (auto l = make_locale(LC_CTYPE_MASK, collation))
      return l;
  if (auto l = make_locale(LC_CTYPE_MASK, "C.UTF-8"))
    return l;
  return make_locale(LC_CTYPE_MASK, "C.utf8");
}

// Makes `l` the calling thread's locale for the scope (regcomp and regexec
// read LC_CTYPE from it); a null `l` changes nothing.
class scoped_locale {
public:
  explicit scoped_locale(const shared_locale& l) : old_(l ? uselocale(l->loc) : nullptr) {}
  scoped_locale(const scoped_locale&) = delete;
  scoped_locale& operator=(const scoped_locale&) = delete;
  ~scoped_locale() {
    if (old_)
      uselocale(old_);
  }

private:
  locale_t old_;
};

// ---------------------------------------------------------------- keys

// A numeric value: 0.digits × 10^exponent with the sign, or a special.
struct decimal {
  enum class kind : std::uint8_t { negative_infinity, finite, positive_infinity, nan };
  kind k = kind::finite;
  int sign = 0;              // -1, 0 or 1 when finite
  std::string digits;        // no leading or trailing zeros; empty for zero
  std::int64_t exponent = 0;
};

// Date/time values and intervals, compared member by member.
struct instant {
  std::int64_t high = 0;
  std::int64_t low = 0;
  std::int64_t tie = 0;
  auto operator<=>(const instant&) const = default;
};

constexpr instant infinite_future{std::numeric_limits<std::int64_t>::max(), 0, 0};
constexpr instant infinite_past{std::numeric_limits<std::int64_t>::min(), 0, 0};

using key = std::variant<std::int64_t, double, decimal, instant, std::string>;

template <class T> int sign_of(T v) { return (v > T{}) - (v < T{}); }

int compare_floats(double a, double b) {
  bool a_nan = std::isnan(a);
  bool b_nan = std::isnan(b);
  if (a_nan || b_nan)
    return a_nan == b_nan ? 0 : (a_nan ? 1 : -1);
  return (a > b) - (a < b);
}

int compare_decimals(const decimal& a, const decimal& b) {
  if (a.k != b.k)
    return a.k < b.k ? -1 : 1;
  if (a.k != decimal::kind::finite)
    return 0;
  if (a.sign != b.sign)
    return a.sign < b.sign ? -1 : 1;
  int magnitude = a.exponent != b.exponent ? (a.exponent < b.exponent ? -1 : 1)
                                           : sign_of(a.digits.compare(b.digits));
  return a.sign * magnitude;
}

// Byte order, or the locale's order with byte order breaking its ties.
int compare_strings(const std::string& a, const std::string& b, const locale_handle* collation) {
  if (collation && a != b)
    if (int c = strcoll_l(a.c_str(), b.c_str(), collation->loc); c != 0)
      return sign_of(c);
  return sign_of(a.compare(b));
}

int compare_keys(const key& a, const key& b, const locale_handle* collation) {
  if (a.index() != b.index())
    return a.index() < b.index() ? -1 : 1;
  return std::visit(
    [&](const auto& x) -> int {
      using T = std::decay_t<decltype(x)>;
      const auto& y = std::get<T>(b);
      if constexpr (std::is_same_v<T, double>)
        return compare_floats(x, y);
      else if constexpr (std::is_same_v<T, decimal>)
        return compare_decimals(x, y);
      else if constexpr (std::is_same_v<T, std::string>)
        return compare_strings(x, y, collation);
      else
        return (x > y) - (x < y);
    },
    a);
}

// ---------------------------------------------------------------- scanning

// Reads a text left to right; every read either advances or fails.
class cursor {
public:
  explicit cursor(std::string_view s) : s_(s) {}

  bool done() const { return pos_ == s_.size(); }
  char peek() const { return done() ? '\0' : s_[pos_]; }
  std::string_view rest() const { return s_.substr(pos_); }

  bool eat(char c) {
    if (peek() != c || done())
      return false;
    ++pos_;
    return true;
  }

  bool eat(std::string_view literal) {
    if (rest().substr(0, literal.size()) != literal)
      return false;
    pos_ += literal.size();
    return true;
  }

  // Between `min` and `max` decimal digits (max <= 18).
  std::optional<std::int64_t> number(std::size_t min, std::size_t max) {
    std::int64_t value = 0;
    std::size_t count = 0;
    while (count < max && !done() && peek() >= '0' && peek() <= '9') {
      value = value * 10 + (s_[pos_++] - '0');
      ++count;
    }
    if (count < min || (!done() && count == max && peek() >= '0' && peek() <= '9'))
      return std::nullopt;
    return value;
  }

  // 1 to 6 digits of a fraction of a second, in microseconds.
  std::optional<std::int64_t> fraction() {
    auto start = pos_;
    auto digits = number(1, 6);
    if (!digits)
      return std::nullopt;
    auto value = *digits;
    for (auto n = pos_ - start; n < 6; ++n)
      value *= 10;
    return value;
  }

  std::string_view word() {
    auto start = pos_;
    while (!done() && peek() != ' ')
      ++pos_;
    return s_.substr(start, pos_ - start);
  }

private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  auto same = [](char x, char y) { return ascii_lower(x) == ascii_lower(y); };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), same);
}

// ---------------------------------------------------------------- numbers

std::optional<std::int64_t> parse_integer(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size())
    return std::nullopt;
  return v;
}

// NaN, [-]Infinity and decimal or exponent notation, as float4out and
// float8out write them. A float4 is parsed as float so that each output
// names one float value.
template <class T> std::optional<double> parse_float(std::string_view s) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size())
    return std::nullopt;
  return static_cast<double>(v);
}

std::optional<decimal> special_decimal(std::string_view s) {
  bool negative = !s.empty() && s.front() == '-';
  if (!s.empty() && (s.front() == '-' || s.front() == '+'))
    s.remove_prefix(1);
  decimal d;
  if (iequals(s, "infinity") || iequals(s, "inf"))
    d.k = negative ? decimal::kind::negative_infinity : decimal::kind::positive_infinity;
  else if (iequals(s, "nan"))
    d.k = decimal::kind::nan;
  else
    return std::nullopt;
  return d;
}

// Mantissa digits with their decimal point: appends them to `digits` and
// returns how many came before the point.
std::optional<std::int64_t> read_mantissa(cursor& in, std::string& digits) {
  std::int64_t before_point = 0;
  bool point = false;
  while (!in.done() && (is_digit(in.peek()) || (in.peek() == '.' && !point))) {
    char c = in.peek();
    in.eat(c);
    if (c == '.') {
      point = true;
      continue;
    }
    digits.push_back(c);
    before_point += point ? 0 : 1;
  }
  if (digits.empty())
    return std::nullopt;
  return before_point;
}

std::optional<std::int64_t> read_exponent(cursor& in) {
  if (!in.eat('e') && !in.eat('E'))
    return 0;
  std::int64_t sign = in.eat('-') ? -1 : 1;
  if (sign > 0)
    in.eat('+');
  auto value = in.number(1, 9);
  if (!value)
    return std::nullopt;
  return sign * *value;
}

// numeric_out's form (and exponent notation): exact, no rounding.
std::optional<decimal> parse_decimal(std::string_view s) {
  if (auto special = special_decimal(s))
    return special;
  cursor in{s};
  int sign = in.eat('-') ? -1 : 1;
  if (sign > 0)
    in.eat('+');
  decimal d;
  auto before_point = read_mantissa(in, d.digits);
  auto exponent = before_point ? read_exponent(in) : std::nullopt;
  if (!exponent || !in.done())
    return std::nullopt;
  auto first = d.digits.find_first_not_of('0');
  if (first == std::string::npos)
    return decimal{};
  d.digits.erase(d.digits.find_last_not_of('0') + 1);
  d.digits.erase(0, first);
  d.exponent = *before_point + *exponent - static_cast<std::int64_t>(first);
  d.sign = sign;
  return d;
}

// ---------------------------------------------------------------- simple types

std::optional<std::int64_t> parse_bool(std::string_view s) {
  if (s == "t" || s == "true")
    return 1;
  if (s == "f" || s == "false")
    return 0;
  return std::nullopt;
}

// "char" output: one byte, nothing for NUL, or \ooo for a byte >= 128.
std::optional<std::int64_t> parse_single_char(std::string_view s) {
  if (s.size() <= 1)
    return s.empty() ? 0 : static_cast<unsigned char>(s[0]);
  bool octal = s.size() == 4 && s[0] == '\\' &&
               std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '7'; });
  if (!octal)
    return std::nullopt;
  auto value = (s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0');
  return value <= 255 ? std::optional<std::int64_t>{value} : std::nullopt;
}

std::optional<std::string> parse_uuid(std::string_view s) {
  if (s.size() != 36)
    return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = ascii_lower(s[i]);
    bool hyphen = i == 8 || i == 13 || i == 18 || i == 23;
    bool ok = hyphen ? c == '-' : (is_digit(c) || (c >= 'a' && c <= 'f'));
    if (!ok)
      return std::nullopt;
    out.push_back(c);
  }
  return out;
}

std::string trim_trailing_spaces(std::string_view s) {
  auto end = s.find_last_not_of(' ');
  return std::string{end == std::string_view::npos ? std::string_view{} : s.substr(0, end + 1)};
}

std::optional<std::int64_t> enum_position(const std::vector<std::string>& labels,
                                          std::string_view s) {
  auto it = std::find(labels.begin(), labels.end(), s);
  if (it == labels.end())
    return std::nullopt;
  return it - labels.begin();
}

// ---------------------------------------------------------------- jsonb

void append_canonical_number(std::string& out, const decimal& d) {
  if (d.sign == 0) {
    out.push_back('0');
    return;
  }
  out.append(d.sign < 0 ? "-0." : "0.").append(d.digits);
  out.append("e").append(std::to_string(d.exponent));
}

// Copies a JSON string starting at the quote `s[i]`; returns the index after
// its closing quote, or npos when it does not end.
std::size_t copy_json_string(std::string_view s, std::size_t i, std::string& out) {
  auto start = i++;
  while (i < s.size() && s[i] != '"')
    i += s[i] == '\\' ? 2 : 1;
  if (i >= s.size())
    return std::string_view::npos;
  out.append(s.substr(start, i + 1 - start));
  return i + 1;
}

// jsonb_out is canonical (sorted unique keys, fixed spacing) except for the
// scale of numbers, so rewriting each number in one form per value makes
// text equality jsonb's equality.
std::optional<std::string> canonical_jsonb(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '"') {
      i = copy_json_string(s, i, out);
      if (i == std::string_view::npos)
        return std::nullopt;
    } else if (c == '-' || is_digit(c)) {
      auto end = s.find_first_not_of("0123456789.eE+-", i);
      auto number = parse_decimal(s.substr(i, end - i));
      if (!number || number->k != decimal::kind::finite)
        return std::nullopt;
      append_canonical_number(out, *number);
      i = end == std::string_view::npos ? s.size() : end;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

// ---------------------------------------------------------------- date and time

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
std::optional<civil_date> read_date(cursor& in) {
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
std::optional<std::int64_t> read_clock(cursor& in, std::size_t max_hour_digits) {
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

std::optional<std::int64_t> read_time_of_day(cursor& in) {
  auto usecs = read_clock(in, 2);
  if (!usecs || *usecs > usecs_per_day)
    return std::nullopt;
  return usecs;
}

// +HH[:MM[:SS]] or -..., in seconds east of UTC.
std::optional<std::int64_t> read_utc_offset(cursor& in) {
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

// date, timestamp and timestamptz in DateStyle ISO:
// YYYY-MM-DD[ HH:MM:SS[.f][+HH[:MM[:SS]]]][ BC].
std::optional<instant> parse_timestamp(std::string_view s, bool with_time, bool with_zone) {
  if (auto infinite = parse_infinity(s))
    return infinite;
  cursor in{s};
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

// time, or timetz, which PostgreSQL orders by the UTC time and then by
// offset, an eastern zone first.
std::optional<instant> parse_time(std::string_view s, bool with_zone) {
  cursor in{s};
  auto usecs = read_time_of_day(in);
  std::optional<std::int64_t> offset = 0;
  if (usecs && with_zone)
    offset = read_utc_offset(in);
  if (!usecs || !offset || !in.done())
    return std::nullopt;
  return instant{0, *usecs - *offset * usecs_per_second, -*offset};
}

// ---------------------------------------------------------------- interval

struct interval_parts {
  std::int64_t months = 0;
  std::int64_t days = 0;
  std::int64_t usecs = 0;
};

// "<count> <unit>" with the count already read.
bool add_interval_unit(interval_parts& parts, std::int64_t count, std::string_view unit) {
  if (unit == "year" || unit == "years")
    parts.months += count * 12;
  else if (unit == "mon" || unit == "mons")
    parts.months += count;
  else if (unit == "day" || unit == "days")
    parts.days += count;
  else
    return false;
  return true;
}

// One field: "[+-]N unit" or, last, "[+-]H:MM:SS[.f]".
bool read_interval_field(cursor& in, interval_parts& parts, bool& clock_seen) {
  std::int64_t sign = in.eat('-') ? -1 : 1;
  if (sign > 0)
    in.eat('+');
  cursor probe = in;
  auto count = in.number(1, 10);
  if (!count || clock_seen)
    return false;
  if (in.peek() == ':') {
    auto usecs = read_clock(probe, 10);
    in = probe;
    clock_seen = true;
    parts.usecs = sign * usecs.value_or(0);
    return usecs.has_value();
  }
  return in.eat(' ') && add_interval_unit(parts, sign * *count, in.word());
}

// IntervalStyle postgres, e.g. "1 year 2 mons -3 days +04:05:06.7"; PostgreSQL
// compares months*30 days + days + time.
std::optional<instant> parse_interval(std::string_view s) {
  if (auto infinite = parse_infinity(s))
    return infinite;
  cursor in{s};
  interval_parts parts;
  bool clock_seen = false;
  do {
    if (!read_interval_field(in, parts, clock_seen))
      return std::nullopt;
  } while (in.eat(' '));
  if (!in.done())
    return std::nullopt;
  return day_and_time(parts.months * 30 + parts.days, parts.usecs);
}

} // namespace

// ---------------------------------------------------------------- programs

namespace detail {

enum class is_test { null, is_true, is_false, unknown };

// One element of a LIKE pattern.
struct like_token {
  enum class kind : std::uint8_t { literal, one, any };
  kind k = kind::literal;
  char32_t c = 0;
};

struct regex_handle {
  regex_handle() = default;
  regex_handle(const regex_handle&) = delete;
  regex_handle& operator=(const regex_handle&) = delete;
  ~regex_handle() {
    if (compiled)
      regfree(&re);
  }
  regex_t re{};
  bool compiled = false;
  shared_locale ctype;
};

struct filter_program {
  filter_op op = filter_op::eq;
  bool negate = false;
  family fam = family::other;
  std::vector<std::string> enum_labels;
  std::vector<std::optional<key>> operands;
  shared_locale collation; // ordering of strings; null for byte order
  is_test is = is_test::null;
  bool has_pattern = false;      // like/match with a non-NULL pattern
  std::vector<like_token> like;
  shared_locale fold;            // ilike: towlower_l locale; null for ASCII
  std::shared_ptr<const regex_handle> regex;
};

} // namespace detail

namespace {

using detail::filter_program;
using detail::is_test;
using detail::like_token;
using detail::regex_handle;

std::optional<key> parse_key(const filter_program& p, std::string_view s) {
  auto as_key = [](auto parsed) { return parsed ? std::optional<key>{*parsed} : std::nullopt; };
  switch (p.fam) {
    case family::integer: return as_key(parse_integer(s));
    case family::float4: return as_key(parse_float<float>(s));
    case family::float8: return as_key(parse_float<double>(s));
    case family::numeric: return as_key(parse_decimal(s));
    case family::boolean: return as_key(parse_bool(s));
    case family::text: case family::other: return key{std::string{s}};
    case family::bpchar: return key{trim_trailing_spaces(s)};
    case family::single_char: return as_key(parse_single_char(s));
    case family::uuid: return as_key(parse_uuid(s));
    case family::date: return as_key(parse_timestamp(s, false, false));
    case family::timestamp: return as_key(parse_timestamp(s, true, false));
    case family::timestamptz: return as_key(parse_timestamp(s, true, true));
    case family::time: return as_key(parse_time(s, false));
    case family::timetz: return as_key(parse_time(s, true));
    case family::interval: return as_key(parse_interval(s));
    case family::enumeration: return as_key(enum_position(p.enum_labels, s));
    case family::jsonb: return as_key(canonical_jsonb(s));
    case family::no_equality: return std::nullopt;
  }
  return std::nullopt;
}

truth to_truth(bool b) { return b ? truth::yes : truth::no; }

truth negate(truth t) {
  if (t == truth::unknown)
    return t;
  return t == truth::yes ? truth::no : truth::yes;
}

// ---------------------------------------------------------------- UTF-8

// Code points of UTF-8 text; a byte that starts no valid sequence becomes a
// value above U+10FFFF so that it still only equals itself.
std::u32string decode_utf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b < 0x80         ? 1
                      : (b >> 5) == 6  ? 2
                      : (b >> 4) == 14 ? 3
                      : (b >> 3) == 30 ? 4
                                       : 0;
    char32_t c = len == 1 ? b : len == 2 ? b & 0x1f : len == 3 ? b & 0x0f : b & 0x07;
    bool ok = len != 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      auto cont = static_cast<unsigned char>(s[i + k]);
      ok = (cont & 0xc0) == 0x80;
      c = (c << 6) | (cont & 0x3f);
    }
    out.push_back(ok ? c : 0x110000 + b);
    i += ok ? len : 1;
  }
  return out;
}

char32_t fold_case(char32_t c, const shared_locale& fold) {
  if (!fold)
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
  if (c > 0x10ffff)
    return c;
  return static_cast<char32_t>(towlower_l(static_cast<wint_t>(c), fold->loc));
}

// ---------------------------------------------------------------- LIKE

// `fold` is null for LIKE; for ILIKE it points at the (possibly null) locale.
tl::expected<std::vector<like_token>, std::string> compile_like(std::string_view pattern,
                                                                const shared_locale* fold) {
  std::vector<like_token> tokens;
  auto chars = decode_utf8(pattern);
  for (std::size_t i = 0; i < chars.size(); ++i) {
    char32_t c = chars[i];
    if (c == '%') {
      if (tokens.empty() || tokens.back().k != like_token::kind::any)
        tokens.push_back({like_token::kind::any, 0});
    } else if (c == '_') {
      tokens.push_back({like_token::kind::one, 0});
    } else {
      if (c == '\\' && ++i == chars.size())
        return tl::unexpected(std::string{"LIKE pattern must not end with escape character"});
      c = chars[i];
      tokens.push_back({like_token::kind::literal, fold ? fold_case(c, *fold) : c});
    }
  }
  return tokens;
}

// Whole-value match; on a mismatch after `%`, the `%` takes one more
// character and matching resumes after it.
bool like_matches(const std::vector<like_token>& pattern, const std::u32string& text) {
  std::size_t p = 0, t = 0, star = std::string::npos, resume = 0;
  while (t < text.size()) {
    bool fits = p < pattern.size() &&
                (pattern[p].k == like_token::kind::one ||
                 (pattern[p].k == like_token::kind::literal && pattern[p].c == text[t]));
    if (fits) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p].k == like_token::kind::any) {
      star = p++;
      resume = t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p].k == like_token::kind::any)
    ++p;
  return p == pattern.size();
}

// ---------------------------------------------------------------- regex

// Skips the bracket expression opening at `s[i]` (leaving `i` on its `]`);
// a backslash in it is an escape in ARE but a literal in ERE.
std::string_view bracket_backslash(std::string_view s, std::size_t& i) {
  std::size_t j = i + 1;
  if (j < s.size() && s[j] == '^')
    ++j;
  if (j < s.size() && s[j] == ']')
    ++j;
  for (; j < s.size() && s[j] != ']'; ++j) {
    if (s[j] == '\\')
      return "a backslash inside a bracket expression";
    bool inner = j + 1 < s.size() && (s[j + 1] == ':' || s[j + 1] == '.' || s[j + 1] == '=');
    if (s[j] == '[' && inner) {
      auto close = s.find(std::string{s[j + 1]} + "]", j + 2);
      if (close == std::string_view::npos)
        return {};
      j = close + 1;
    }
  }
  i = j;
  return {};
}

// The backslash at `s[i]`: ERE reads \d, \w, \< and the like as a literal
// letter or a GNU operator, ARE as a class, constraint or character entry.
std::string_view escape_difference(std::string_view s, std::size_t i) {
  if (i + 1 >= s.size())
    return {};
  char next = s[i + 1];
  bool backref = next >= '1' && next <= '9' && !(i + 2 < s.size() && is_digit(s[i + 2]));
  bool alnum = is_digit(next) || (ascii_lower(next) >= 'a' && ascii_lower(next) <= 'z');
  if ((alnum && !backref) || next == '<' || next == '>' || next == '`' || next == '\'')
    return "an escape such as \\d, \\w, \\m or \\<";
  return {};
}

// PostgreSQL's regex flavour is ARE, a superset of ERE with extensions that
// POSIX regcomp lacks or reads with another meaning. The first such
// construct in `s`, empty when there is none.
std::string_view are_only_syntax(std::string_view s) {
  if (s.substr(0, 3) == "***")
    return "a *** director";
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::string_view found;
    if (s[i] == '\\')
      found = escape_difference(s, i++);
    else if (s[i] == '[')
      found = bracket_backslash(s, i);
    else if (s[i] == '(' && i + 1 < s.size() && s[i + 1] == '?')
      found = "a (? group or option";
    if (!found.empty())
      return found;
  }
  return {};
}

tl::expected<std::shared_ptr<const regex_handle>, std::string>
compile_regex(const std::string& pattern, bool icase, const std::string& collation) {
  auto filter_name = std::string{icase ? "imatch" : "match"};
  if (auto construct = are_only_syntax(pattern); !construct.empty())
    return tl::unexpected("unsupported regular expression for " + filter_name + " filter: " +
                          std::string{construct} +
                          " is PostgreSQL ARE syntax that POSIX ERE lacks");
  auto handle = std::make_shared<regex_handle>();
  handle->ctype = ctype_locale(collation);
  scoped_locale in_locale{handle->ctype};
  int flags = REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0);
  if (int rc = regcomp(&handle->re, pattern.c_str(), flags); rc != 0) {
    char message[256];
    regerror(rc, &handle->re, message, sizeof message);
    return tl::unexpected("invalid regular expression for " + filter_name + " filter: " + message);
  }
  handle->compiled = true;
  return handle;
}

truth regex_search(const regex_handle& h, std::string_view value) {
  std::string text{value};
  scoped_locale in_locale{h.ctype};
  int rc = regexec(&h.re, text.c_str(), 0, nullptr, 0);
  return rc == 0 ? truth::yes : rc == REG_NOMATCH ? truth::no : truth::unknown;
}

// ---------------------------------------------------------------- compiling

using compile_result = tl::expected<void, std::string>;
using operand_list = std::vector<std::optional<std::string>>;

std::string op_name(filter_op op) { return std::string{to_string(op)}; }

compile_result refuse(filter_op op, const filter_column& column) {
  return tl::unexpected("operator " + op_name(op) + " is not supported for column type " +
                        type_label(column));
}

bool is_ordering(filter_op op) {
  return op == filter_op::lt || op == filter_op::lte || op == filter_op::gt || op == filter_op::gte;
}

compile_result expect_one_operand(filter_op op, const operand_list& operands) {
  if (operands.size() == 1)
    return {};
  return tl::unexpected("operator " + op_name(op) + " takes exactly one value, got " +
                        std::to_string(operands.size()));
}

compile_result parse_operands(filter_program& p, const filter_column& column,
                              const operand_list& operands) {
  for (const auto& operand : operands) {
    if (!operand) {
      p.operands.emplace_back();
      continue;
    }
    auto parsed = parse_key(p, *operand);
    if (!parsed)
      return tl::unexpected("invalid " + type_label(column) + " value for " + op_name(p.op) +
                            " filter: \"" + *operand + "\"");
    p.operands.push_back(std::move(*parsed));
  }
  return {};
}

compile_result use_collation(filter_program& p, const filter_column& column) {
  if (!is_textual(p.fam) || is_c_collation(column.collation))
    return {};
  p.collation = make_locale(LC_COLLATE_MASK, column.collation);
  if (p.collation)
    return {};
  return tl::unexpected("operator " + op_name(p.op) + " cannot order by collation \"" +
                        column.collation + "\": that locale is not available on this server");
}

// eq, neq, lt, lte, gt, gte, isdistinct and in.
compile_result compile_comparison(filter_program& p, const filter_column& column,
                                  const operand_list& operands) {
  bool ordering = is_ordering(p.op);
  if (!has_equality(p.fam) || (ordering && !has_ordering(p.fam)))
    return refuse(p.op, column);
  if (p.op == filter_op::in && operands.size() > max_in_values)
    return tl::unexpected(std::string{"too many values for `in` filter. Maximum 100"});
  if (p.op != filter_op::in)
    if (auto one = expect_one_operand(p.op, operands); !one)
      return one;
  if (ordering)
    if (auto collation = use_collation(p, column); !collation)
      return collation;
  return parse_operands(p, column, operands);
}

compile_result compile_is(filter_program& p, const filter_column& column,
                          const operand_list& operands) {
  if (auto one = expect_one_operand(p.op, operands); !one)
    return one;
  const auto keyword = operands.front().value_or("");
  constexpr std::pair<std::string_view, is_test> tests[] = {
    {"null", is_test::null}, {"true", is_test::is_true}, {"false", is_test::is_false},
    {"unknown", is_test::unknown}};
  auto named = [&](auto& t) { return iequals(t.first, keyword); };
  auto it = std::find_if(std::begin(tests), std::end(tests), named);
  if (it == std::end(tests))
    return tl::unexpected("invalid value for `is` filter: \"" + keyword +
                          "\" (expected null, true, false or unknown)");
  p.is = it->second;
  if (p.is != is_test::null && p.fam != family::boolean)
    return tl::unexpected("is " + std::string{it->first} +
                          " filter requires a boolean column, got " + type_label(column));
  return {};
}

compile_result compile_pattern(filter_program& p, const filter_column& column,
                               const operand_list& operands) {
  if (!is_textual(p.fam))
    return tl::unexpected("operator " + op_name(p.op) +
                          " requires a text-compatible column type, got " + type_label(column));
  if (auto one = expect_one_operand(p.op, operands); !one)
    return one;
  if (!operands.front())
    return {};
  p.has_pattern = true;
  // bpchar ~~ text and bpchar ~ text: the pattern reaches text through a
  // cast that drops trailing spaces.
  const auto& raw = *operands.front();
  auto pattern = p.fam == family::bpchar ? trim_trailing_spaces(raw) : raw;
  if (p.op == filter_op::match || p.op == filter_op::imatch) {
    auto regex = compile_regex(pattern, p.op == filter_op::imatch, column.collation);
    if (!regex)
      return tl::unexpected(regex.error());
    p.regex = std::move(*regex);
    return {};
  }
  if (p.op == filter_op::ilike && !is_c_collation(column.collation))
    p.fold = ctype_locale(column.collation);
  auto fold = p.op == filter_op::ilike ? &p.fold : nullptr;
  auto tokens = compile_like(pattern, fold);
  if (!tokens)
    return tl::unexpected(tokens.error());
  p.like = std::move(*tokens);
  return {};
}

compile_result compile_program(filter_program& p, const filter_column& column,
                               const operand_list& operands) {
  switch (p.op) {
    case filter_op::is: return compile_is(p, column, operands);
    case filter_op::like: case filter_op::ilike: case filter_op::match: case filter_op::imatch:
      return compile_pattern(p, column, operands);
    default: return compile_comparison(p, column, operands);
  }
}

// ---------------------------------------------------------------- evaluating

truth evaluate_comparison(const filter_program& p, std::optional<std::string_view> value) {
  const auto& operand = p.operands.front();
  if (!value || !operand)
    return truth::unknown;
  auto parsed = parse_key(p, *value);
  if (!parsed)
    return truth::unknown;
  int c = compare_keys(*parsed, *operand, p.collation.get());
  switch (p.op) {
    case filter_op::eq: return to_truth(c == 0);
    case filter_op::neq: return to_truth(c != 0);
    case filter_op::lt: return to_truth(c < 0);
    case filter_op::lte: return to_truth(c <= 0);
    case filter_op::gt: return to_truth(c > 0);
    default: return to_truth(c >= 0);
  }
}

// x = any(list): empty lists are false even for a NULL x.
truth evaluate_in(const filter_program& p, std::optional<std::string_view> value) {
  if (p.operands.empty())
    return truth::no;
  auto parsed = value ? parse_key(p, *value) : std::nullopt;
  if (!parsed)
    return truth::unknown;
  bool saw_null = false;
  for (const auto& operand : p.operands) {
    if (!operand)
      saw_null = true;
    else if (compare_keys(*parsed, *operand, nullptr) == 0)
      return truth::yes;
  }
  return saw_null ? truth::unknown : truth::no;
}

truth evaluate_distinct(const filter_program& p, std::optional<std::string_view> value) {
  const auto& operand = p.operands.front();
  if (!value || !operand)
    return to_truth(value.has_value() != operand.has_value());
  auto parsed = parse_key(p, *value);
  if (!parsed)
    return truth::unknown;
  return to_truth(compare_keys(*parsed, *operand, nullptr) != 0);
}

truth evaluate_is(const filter_program& p, std::optional<std::string_view> value) {
  if (p.is == is_test::null || p.is == is_test::unknown)
    return to_truth(!value);
  if (!value)
    return truth::no;
  auto b = parse_bool(*value);
  if (!b)
    return truth::unknown;
  return to_truth((*b == 1) == (p.is == is_test::is_true));
}

truth evaluate_pattern(const filter_program& p, std::optional<std::string_view> value) {
  if (!value || !p.has_pattern)
    return truth::unknown;
  if (p.regex)
    return regex_search(*p.regex, *value);
  auto text = decode_utf8(*value);
  if (p.op == filter_op::ilike)
    for (auto& c : text)
      c = fold_case(c, p.fold);
  return to_truth(like_matches(p.like, text));
}

truth evaluate_program(const filter_program& p, std::optional<std::string_view> value) {
  switch (p.op) {
    case filter_op::in: return evaluate_in(p, value);
    case filter_op::isdistinct: return evaluate_distinct(p, value);
    case filter_op::is: return evaluate_is(p, value);
    case filter_op::like: case filter_op::ilike: case filter_op::match: case filter_op::imatch:
      return evaluate_pattern(p, value);
    default: return evaluate_comparison(p, value);
  }
}

} // namespace

compiled_filter::compiled_filter(std::shared_ptr<const detail::filter_program> program)
  : program_(std::move(program)) {}

filter_op compiled_filter::op() const noexcept { return program_->op; }

bool compiled_filter::negated() const noexcept { return program_->negate; }

tl::expected<compiled_filter, std::string>
compile_filter(const filter_condition& c, const filter_column& column,
               std::vector<std::optional<std::string>> operands) {
  auto program = std::make_shared<filter_program>();
  program->op = c.op;
  program->negate = c.negate;
  program->fam = family_of(column);
  program->enum_labels = column.enum_labels;
  if (auto compiled = compile_program(*program, column, operands); !compiled)
    return tl::unexpected(compiled.error());
  return compiled_filter{std::move(program)};
}

// NOT wraps every operator: for `is` and `isdistinct` that is IS NOT and IS
// NOT DISTINCT FROM, which are never unknown either.
truth evaluate(const compiled_filter& f, std::optional<std::string_view> value) {
  const auto& p = *f.program_;
  auto result = evaluate_program(p, value);
  return p.negate ? negate(result) : result;
}

std::string_view to_string(truth t) noexcept {
  switch (t) {
    case truth::yes: return "yes";
    case truth::no: return "no";
    case truth::unknown: return "unknown";
  }
  return "unknown";
}

} // namespace rt::replication
