#pragma once

// The backslash escapes of PostgreSQL's regular expressions (ARE), read as
// its lexer reads them. Internal to filter evaluation.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <tl/expected.hpp>

#include "rt/replication/are_error.hpp"

namespace rt::replication::detail {

/// What one escape stands for.
struct are_escape {
  enum class kind : std::uint8_t {
    character,       ///< one character: `value`
    class_shorthand, ///< `letter` d, s, w or their complements D, S, W
    constraint,      ///< `letter` A, Z, y, Y, m or M
    back_reference,  ///< group number `value`
  };
  kind what = kind::character;
  /// The code point of a character (above U+10FFFF for an escape such as
  /// \x110000, which no text character equals) or a group number.
  char32_t value = 0;
  char letter = 0;
  std::size_t length = 0; ///< bytes read, the backslash included
};

/// Reads the escape at `pattern[at]`, a backslash. A non-alphanumeric
/// character after it stands for itself; \a \b \B \cX \e \f \n \r \t \v,
/// \uXXXX, \UXXXXXXXX, \x followed by hex digits and octal \0, \0nn are
/// characters (\b is a backspace and \B a backslash, as in ARE). A nonzero
/// digit is a back-reference when it is one digit, or when the number it
/// starts is at most `groups`, the capturing groups opened before it;
/// otherwise it starts an octal escape. Invalid as in PostgreSQL ("invalid
/// escape \ sequence"): any other letter, a backslash at the end, a \u or
/// \U with too few digits.
[[nodiscard]] tl::expected<are_escape, are_error> read_escape(std::string_view pattern,
                                                              std::size_t at, std::size_t groups);

} // namespace rt::replication::detail
