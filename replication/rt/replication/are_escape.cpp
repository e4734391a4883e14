#include "rt/replication/are_escape.hpp"

#include <algorithm>

#include "rt/replication/re2_syntax.hpp"

namespace rt::replication::detail {

namespace {

// PostgreSQL's CHR_MAX: an escape for a larger value is invalid.
constexpr char32_t largest_escape = 0x7FFFFFFE;

tl::unexpected<are_error> invalid_escape() { return invalid_are("invalid escape \\ sequence"); }

int digit_value(char c, int base) {
  int d = c >= '0' && c <= '9'   ? c - '0'
          : c >= 'a' && c <= 'f' ? c - 'a' + 10
          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                 : 99;
  return d < base ? d : -1;
}

struct number {
  char32_t value = 0;
  std::size_t digits = 0;
};

// Up to `most` digits of `base` from `s[i]` on, the value saturated just
// above largest_escape.
number read_digits(std::string_view s, std::size_t i, int base, std::size_t most) {
  number n;
  for (; n.digits < most && i + n.digits < s.size(); ++n.digits) {
    int d = digit_value(s[i + n.digits], base);
    if (d < 0)
      break;
    auto next = std::uint64_t{n.value} * static_cast<unsigned>(base) + static_cast<unsigned>(d);
    n.value = static_cast<char32_t>(std::min<std::uint64_t>(next, largest_escape + 1));
  }
  return n;
}

bool is_ascii_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

are_escape character(char32_t value, std::size_t length) {
  return {are_escape::kind::character, value, 0, length};
}

// \u, \U (exactly `digits` hex digits) and \x (one or more).
tl::expected<are_escape, are_error> hex_escape(std::string_view s, std::size_t i,
                                               std::size_t fewest, std::size_t most) {
  auto n = read_digits(s, i, 16, most);
  if (n.digits < fewest || n.value > largest_escape)
    return invalid_escape();
  return character(n.value, 2 + n.digits);
}

// Up to three octal digits from `s[i]` on; one digit fewer when three make
// more than 0377.
tl::expected<are_escape, are_error> octal_escape(std::string_view s, std::size_t i) {
  auto n = read_digits(s, i, 8, 3);
  if (n.digits == 0)
    return invalid_escape();
  if (n.value > 0377) {
    n.value >>= 3;
    --n.digits;
  }
  return character(n.value, 1 + n.digits);
}

} // namespace

tl::expected<are_escape, are_error> read_escape(std::string_view s, std::size_t at,
                                                std::size_t groups) {
  std::size_t i = at + 1;
  if (i >= s.size())
    return invalid_escape();
  char c = s[i];
  if (!is_ascii_alnum(c)) {
    auto ch = decode_utf8(s, i);
    if (ch.length == 0)
      return invalid_utf8();
    return character(ch.value, 1 + ch.length);
  }
  switch (c) {
    case 'a': return character(0x07, 2);
    case 'b': return character(0x08, 2);
    case 'B': return character('\\', 2);
    case 'e': return character(0x1B, 2);
    case 'f': return character(0x0C, 2);
    case 'n': return character(0x0A, 2);
    case 'r': return character(0x0D, 2);
    case 't': return character(0x09, 2);
    case 'v': return character(0x0B, 2);
    case 'c': {
      if (i + 1 >= s.size())
        return invalid_escape();
      auto ch = decode_utf8(s, i + 1);
      if (ch.length == 0)
        return invalid_utf8();
      return character(ch.value & 037, 2 + ch.length);
    }
    case 'u': return hex_escape(s, i + 1, 4, 4);
    case 'U': return hex_escape(s, i + 1, 8, 8);
    case 'x': return hex_escape(s, i + 1, 1, 255);
    case 'd': case 'D': case 's': case 'S': case 'w': case 'W':
      return are_escape{are_escape::kind::class_shorthand, 0, c, 2};
    case 'A': case 'Z': case 'y': case 'Y': case 'm': case 'M':
      return are_escape{are_escape::kind::constraint, 0, c, 2};
    case '0': return octal_escape(s, i);
    default: break;
  }
  if (c >= '1' && c <= '9') {
    auto n = read_digits(s, i, 10, 255);
    if (n.digits == 1 || n.value <= groups)
      return are_escape{are_escape::kind::back_reference, n.value, 0, 1 + n.digits};
    return octal_escape(s, i);
  }
  return invalid_escape();
}

} // namespace rt::replication::detail
