#pragma once

// Reading a pattern's UTF-8 characters and writing them as RE2 syntax.
// Internal to filter evaluation.

#include <cstddef>
#include <string>
#include <string_view>

namespace rt::replication::detail {

/// The largest Unicode code point.
inline constexpr char32_t max_code_point = 0x10FFFF;

/// An RE2 atom that matches no character.
inline constexpr std::string_view re2_no_character = "[^\\x{0}-\\x{10FFFF}]";

/// An RE2 atom that matches any one character, a newline included.
inline constexpr std::string_view re2_any_character = "[\\x{0}-\\x{10FFFF}]";

/// One UTF-8 character.
struct utf8_char {
  char32_t value = 0;
  std::size_t length = 0; ///< bytes; 0 when the bytes are not valid UTF-8
};

/// The character starting at `s[i]` (i < s.size()). Overlong forms,
/// surrogates and values above max_code_point are not valid.
[[nodiscard]] utf8_char decode_utf8(std::string_view s, std::size_t i) noexcept;

/// Appends `c` (at most max_code_point) as RE2 syntax for that one
/// character, valid inside and outside brackets: ASCII letters, digits and
/// `_` as they are, other printable ASCII after a backslash, control
/// characters and surrogates as \x{...}, anything else as UTF-8.
void append_re2_char(std::string& out, char32_t c);

} // namespace rt::replication::detail
