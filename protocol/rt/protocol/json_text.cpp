#include "rt/protocol/json_text.hpp"

#include <boost/json/parse.hpp>

namespace rt::protocol {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

bool is_ws(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::size_t skip_ws(std::string_view t, std::size_t pos) noexcept {
  while (pos < t.size() && is_ws(t[pos]))
    ++pos;
  return pos;
}

// Index one past the string token starting at `pos` (which holds '"').
std::size_t skip_string(std::string_view t, std::size_t pos) noexcept {
  for (++pos; pos < t.size(); ++pos) {
    if (t[pos] == '\\')
      ++pos;
    else if (t[pos] == '"')
      return pos + 1;
  }
  return t.size();
}

// Index one past the value starting at `pos`. Input is known to be valid JSON,
// so only strings and nesting need care.
std::size_t skip_value(std::string_view t, std::size_t pos) noexcept {
  if (pos >= t.size())
    return pos;
  char c = t[pos];
  if (c == '"')
    return skip_string(t, pos);
  if (c == '{' || c == '[') {
    int depth = 0;
    while (pos < t.size()) {
      char d = t[pos];
      if (d == '"') {
        pos = skip_string(t, pos);
        continue;
      }
      if (d == '{' || d == '[')
        ++depth;
      else if ((d == '}' || d == ']') && --depth == 0)
        return pos + 1;
      ++pos;
    }
    return pos;
  }
  while (pos < t.size() && !is_ws(t[pos]) && t[pos] != ',' && t[pos] != ']'
         && t[pos] != '}')
    ++pos;
  return pos;
}

// Calls `on_item(start)` for each item of the container opened at `pos`;
// `on_item` returns the index one past the item.
template <class OnItem>
bool for_each_item(std::string_view t, std::size_t pos, char close, OnItem on_item) {
  pos = skip_ws(t, pos + 1);
  if (pos < t.size() && t[pos] == close)
    return true;
  while (pos < t.size()) {
    pos = skip_ws(t, on_item(skip_ws(t, pos)));
    if (pos >= t.size())
      return false;
    if (t[pos] == close)
      return true;
    ++pos; // ','
  }
  return false;
}

} // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default:
        out.append("\\u00");
        out.push_back(hex_digits[c >> 4]);
        out.push_back(hex_digits[c & 0xF]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

std::string json_string(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  append_json_string(out, s);
  return out;
}

std::optional<std::string> json_unquote(std::string_view token) {
  if (token.size() < 2 || token.front() != '"' || token.back() != '"')
    return std::nullopt;
  auto inner = token.substr(1, token.size() - 2);
  if (inner.find_first_of("\\\"") == std::string_view::npos)
    return std::string{inner};
  boost::system::error_code ec;
  auto v = boost::json::parse(token, ec);
  if (ec || !v.is_string())
    return std::nullopt;
  auto& s = v.get_string();
  return std::string{s.data(), s.size()};
}

std::optional<std::vector<std::string_view>> json_array_elements(std::string_view text) {
  auto pos = skip_ws(text, 0);
  if (pos >= text.size() || text[pos] != '[')
    return std::nullopt;
  std::vector<std::string_view> items;
  bool ok = for_each_item(text, pos, ']', [&](std::size_t start) {
    auto end = skip_value(text, start);
    items.push_back(text.substr(start, end - start));
    return end;
  });
  if (!ok)
    return std::nullopt;
  return items;
}

std::optional<std::vector<json_member>> json_object_members(std::string_view text) {
  auto pos = skip_ws(text, 0);
  if (pos >= text.size() || text[pos] != '{')
    return std::nullopt;
  std::vector<json_member> members;
  bool ok = for_each_item(text, pos, '}', [&](std::size_t start) {
    auto key_end = skip_string(text, start);
    auto value_start = skip_ws(text, skip_ws(text, key_end) + 1); // past ':'
    auto value_end = skip_value(text, value_start);
    members.push_back({text.substr(start, key_end - start),
                       text.substr(value_start, value_end - value_start)});
    return value_end;
  });
  if (!ok)
    return std::nullopt;
  return members;
}

} // namespace rt::protocol
