#pragma once

// ASCII case folding, as the protocols here need it (header names, flexible
// booleans, event names, SQL keywords): bytes outside A-Z are left alone, so
// no locale is involved.

#include <algorithm>
#include <string_view>

namespace rt::protocol {

/// `c` with A-Z lowered, any other byte unchanged.
constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// Equality ignoring the case of ASCII letters.
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  auto same = [](char x, char y) { return ascii_lower(x) == ascii_lower(y); };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), same);
}

} // namespace rt::protocol
