#include "rt/replication/pg_number.hpp"

#include <charconv>
#include <cmath>

#include "rt/replication/text_cursor.hpp"

namespace rt::replication::detail {

namespace {

// A float4 is parsed as float so that each output names one float value.
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
std::optional<std::int64_t> read_mantissa(text_cursor& in, std::string& digits) {
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

std::optional<std::int64_t> read_exponent(text_cursor& in) {
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

} // namespace

std::optional<std::int64_t> parse_integer(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size())
    return std::nullopt;
  return v;
}

std::optional<double> parse_float4(std::string_view s) { return parse_float<float>(s); }

std::optional<double> parse_float8(std::string_view s) { return parse_float<double>(s); }

std::optional<decimal> parse_decimal(std::string_view s) {
  if (auto special = special_decimal(s))
    return special;
  text_cursor in{s};
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

int compare_floats(double a, double b) noexcept {
  bool a_nan = std::isnan(a);
  bool b_nan = std::isnan(b);
  if (a_nan || b_nan)
    return a_nan == b_nan ? 0 : (a_nan ? 1 : -1);
  return (a > b) - (a < b);
}

int compare_decimals(const decimal& a, const decimal& b) noexcept {
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

} // namespace rt::replication::detail
