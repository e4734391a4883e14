#pragma once

// Reading a one-dimensional text[] from its PostgreSQL text output, and
// writing one-dimensional array literals for typed parameters. Pure.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rt::db {

/// The elements of `s`, a one-dimensional array in PostgreSQL's output
/// syntax ({a,"b c","d\"e"}), unquoted and unescaped; NULL elements are
/// left out. Text that is not such output gives what could be read; nothing
/// past the end of `s` is ever read.
[[nodiscard]] std::vector<std::string> parse_text_array(std::string_view s);

/// A one-dimensional array literal of `items` that PostgreSQL reads back as
/// those elements with any element type's input function: every element
/// double-quoted with `"` and `\` escaped, nullopt as NULL ({"a","b\"c",NULL}).
[[nodiscard]] std::string array_literal(const std::vector<std::optional<std::string>>& items);

} // namespace rt::db
