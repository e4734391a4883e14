#include "rt/db/text_array.hpp"

namespace rt::db {

namespace {

// A double-quoted element starting at s[i] (the quote); moves i past its
// closing quote.
std::string quoted_element(std::string_view s, std::size_t& i) {
  std::string item;
  for (++i; i < s.size() && s[i] != '"'; ++i) {
    if (s[i] == '\\' && i + 1 < s.size())
      ++i;
    item.push_back(s[i]);
  }
  ++i;
  return item;
}

// An unquoted element starting at s[i]; moves i to the ',' or '}' after it.
std::string bare_element(std::string_view s, std::size_t& i) {
  std::string item;
  for (; i < s.size() && s[i] != ',' && s[i] != '}'; ++i)
    item.push_back(s[i]);
  return item;
}

} // namespace

std::vector<std::string> parse_text_array(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 1; // past '{'
  while (i + 1 < s.size()) {
    bool quoted = s[i] == '"';
    std::string item = quoted ? quoted_element(s, i) : bare_element(s, i);
    if (quoted || item != "NULL")
      out.push_back(std::move(item));
    ++i; // ',' or '}'
  }
  return out;
}

std::string array_literal(const std::vector<std::optional<std::string>>& items) {
  std::string out{"{"};
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0)
      out.push_back(',');
    if (!items[i]) {
      out.append("NULL");
      continue;
    }
    out.push_back('"');
    for (char c : *items[i]) {
      if (c == '"' || c == '\\')
        out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

} // namespace rt::db
