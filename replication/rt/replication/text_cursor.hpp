#pragma once

// Reading PostgreSQL's text output of a value left to right, and the ASCII
// character tests its parsers share. Internal to filter evaluation.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "rt/protocol/ascii.hpp"

namespace rt::replication::detail {

/// '0' to '9'.
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

using protocol::ascii_lower;
using protocol::iequals;

/// Reads a text left to right; every read either advances or fails. The
/// text must outlive the cursor.
class text_cursor {
public:
  explicit text_cursor(std::string_view s) noexcept : s_(s) {}

  /// True when everything was read.
  [[nodiscard]] bool done() const noexcept { return pos_ == s_.size(); }
  /// The next byte, '\0' at the end.
  [[nodiscard]] char peek() const noexcept { return done() ? '\0' : s_[pos_]; }
  /// What is left to read.
  [[nodiscard]] std::string_view rest() const noexcept { return s_.substr(pos_); }

  /// Consumes `c` if it comes next.
  bool eat(char c) noexcept {
    if (done() || peek() != c)
      return false;
    ++pos_;
    return true;
  }

  /// Consumes `literal` if it comes next.
  bool eat(std::string_view literal) noexcept {
    if (rest().substr(0, literal.size()) != literal)
      return false;
    pos_ += literal.size();
    return true;
  }

  /// Between `min` and `max` decimal digits (`max` at most 18); fails when
  /// fewer come or more follow.
  std::optional<std::int64_t> number(std::size_t min, std::size_t max) noexcept {
    std::int64_t value = 0;
    std::size_t count = 0;
    while (count < max && is_digit(peek())) {
      value = value * 10 + (s_[pos_++] - '0');
      ++count;
    }
    if (count < min || (count == max && is_digit(peek())))
      return std::nullopt;
    return value;
  }

  /// 1 to 6 digits of a fraction of a second, in microseconds.
  std::optional<std::int64_t> fraction() noexcept {
    auto start = pos_;
    auto digits = number(1, 6);
    if (!digits)
      return std::nullopt;
    auto value = *digits;
    for (auto n = pos_ - start; n < 6; ++n)
      value *= 10;
    return value;
  }

  /// The bytes up to the next space or the end.
  std::string_view word() noexcept {
    auto start = pos_;
    while (!done() && peek() != ' ')
      ++pos_;
    return s_.substr(start, pos_ - start);
  }

private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

} // namespace rt::replication::detail
