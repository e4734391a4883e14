#pragma once

// Reading a one-dimensional text[] from its PostgreSQL text output. Pure.

#include <string>
#include <string_view>
#include <vector>

namespace rt::db {

/// The elements of `s`, a one-dimensional array in PostgreSQL's output
/// syntax ({a,"b c","d\"e"}), unquoted and unescaped; NULL elements are
/// left out. Text that is not such output gives what could be read; nothing
/// past the end of `s` is ever read.
[[nodiscard]] std::vector<std::string> parse_text_array(std::string_view s);

} // namespace rt::db
