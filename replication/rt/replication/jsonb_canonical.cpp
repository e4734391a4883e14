#include "rt/replication/jsonb_canonical.hpp"

#include "rt/replication/pg_number.hpp"
#include "rt/replication/text_cursor.hpp"

namespace rt::replication::detail {

namespace {

void append_canonical_number(std::string& out, const decimal& d) {
  if (d.sign == 0) {
    out.push_back('0');
    return;
  }
  out.append(d.sign < 0 ? "-0." : "0.").append(d.digits);
  out.append("e").append(std::to_string(d.exponent));
}

// Copies a JSON string starting at the quote `s[i]`; returns the index after
// its closing quote, or npos when it does not end.
std::size_t copy_json_string(std::string_view s, std::size_t i, std::string& out) {
  auto start = i++;
  while (i < s.size() && s[i] != '"')
    i += s[i] == '\\' ? 2 : 1;
  if (i >= s.size())
    return std::string_view::npos;
  out.append(s.substr(start, i + 1 - start));
  return i + 1;
}

} // namespace

std::optional<std::string> canonical_jsonb(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '"') {
      i = copy_json_string(s, i, out);
      if (i == std::string_view::npos)
        return std::nullopt;
    } else if (c == '-' || is_digit(c)) {
      auto end = s.find_first_not_of("0123456789.eE+-", i);
      auto number = parse_decimal(s.substr(i, end - i));
      if (!number || number->k != decimal::kind::finite)
        return std::nullopt;
      append_canonical_number(out, *number);
      i = end == std::string_view::npos ? s.size() : end;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

} // namespace rt::replication::detail
