#include "rt/replication/pg_scalar.hpp"

#include <algorithm>

#include "rt/replication/text_cursor.hpp"

namespace rt::replication::detail {

std::optional<std::int64_t> parse_bool(std::string_view s) {
  if (s == "t" || s == "true")
    return 1;
  if (s == "f" || s == "false")
    return 0;
  return std::nullopt;
}

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

} // namespace rt::replication::detail
