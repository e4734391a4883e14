#include "rt/replication/value_json.hpp"

#include <cctype>

#include "rt/protocol/json_text.hpp"

namespace rt::replication {

namespace {

using protocol::append_json_string;

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    auto start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
      ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-')
    ++i;
  if (i < s.size() && s[i] == '0')
    ++i;
  else if (!digits())
    return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits())
      return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-'))
      ++i;
    if (!digits())
      return false;
  }
  return i == s.size();
}

void append_number_or_string(std::string& out, std::string_view text) {
  // A float's negative zero becomes 0 through numeric, as in to_jsonb.
  if (text == "-0")
    out.push_back('0');
  else if (is_json_number(text))
    out.append(text);
  else
    append_json_string(out, text); // NaN, Infinity, -Infinity
}

// "\x0102" -> "0102"; the escape format is bytea's default output.
void append_bytea(std::string& out, std::string_view text) {
  if (text.substr(0, 2) == "\\x")
    text.remove_prefix(2);
  append_json_string(out, text);
}

// ISO output "2025-11-03 09:32:55.5+00" -> "2025-11-03T09:32:55.5+00:00", as
// to_jsonb writes timestamps: 'T' between date and time, and an offset of
// hours only widened to hours and minutes. Years may have more than four
// digits, and years before 1 end in " BC", after the offset.
void append_iso_timestamp(std::string& out, std::string_view text, bool has_date) {
  constexpr std::string_view bc = " BC";
  bool before_christ = text.size() > bc.size() && text.substr(text.size() - bc.size()) == bc;
  if (before_christ)
    text.remove_suffix(bc.size());
  std::string s{text};
  std::size_t time_start = 0;
  if (has_date) {
    auto space = s.find(' ');
    // No time part: "infinity" and "-infinity".
    time_start = space == std::string::npos ? s.size() : space + 1;
    if (space != std::string::npos)
      s[space] = 'T';
  }
  auto sign = s.find_last_of("+-");
  if (sign != std::string::npos && sign > time_start && s.size() - sign == 3)
    s.append(":00");
  if (before_christ)
    s.append(bc);
  append_json_string(out, s);
}

// Appends a PostgreSQL array literal ("{1,2,NULL}", nested, quoted elements)
// as a JSON array of converted elements. Returns false when `text` is not an
// array literal.
class array_reader {
public:
  array_reader(std::string_view text, std::uint32_t element_oid)
    : text_(text), element_(element_oid) {}

  bool append(std::string& out) {
    // Bounds other than 1 are written as "[2:3]={...}".
    if (!text_.empty() && text_[0] == '[') {
      auto eq = text_.find('=');
      if (eq == std::string_view::npos)
        return false;
      pos_ = eq + 1;
    }
    return read_array(out) && pos_ == text_.size();
  }

private:
  bool read_array(std::string& out) {
    if (!take('{'))
      return false;
    out.push_back('[');
    if (take('}')) {
      out.push_back(']');
      return true;
    }
    for (bool first = true;; first = false) {
      if (!first)
        out.push_back(',');
      if (!read_element(out))
        return false;
      if (take('}')) {
        out.push_back(']');
        return true;
      }
      if (!take(','))
        return false;
    }
  }

  bool read_element(std::string& out) {
    if (peek() == '{')
      return read_array(out);
    if (peek() == '"')
      return read_quoted(out);
    auto start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}')
      ++pos_;
    auto raw = text_.substr(start, pos_ - start);
    if (raw.empty())
      return false;
    if (raw == "NULL")
      out.append("null");
    else
      append_value_json(out, element_, raw);
    return true;
  }

  bool read_quoted(std::string& out) {
    ++pos_;
    std::string value;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size())
        ++pos_;
      value.push_back(text_[pos_++]);
    }
    if (!take('"'))
      return false;
    append_value_json(out, element_, value);
    return true;
  }

  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  bool take(char c) {
    if (peek() != c)
      return false;
    ++pos_;
    return true;
  }

  std::string_view text_;
  std::uint32_t element_;
  std::size_t pos_ = 0;
};

} // namespace

std::uint32_t array_element_oid(std::uint32_t type_oid) noexcept {
  switch (type_oid) {
    case 1000: return oid::boolean;
    case 1001: return oid::bytea;
    case 1005: return oid::int2;
    case 1007: return oid::int4;
    case 1009: return oid::text;
    case 1015: return oid::varchar;
    case 1016: return oid::int8;
    case 1021: return oid::float4;
    case 1022: return oid::float8;
    case 1028: return oid::oid;
    case 1115: return oid::timestamp;
    case 1182: return oid::date;
    case 1183: return oid::time;
    case 1185: return oid::timestamptz;
    case 1231: return oid::numeric;
    case 1270: return oid::timetz;
    case 199: return oid::json;
    case 2951: return oid::uuid;
    case 3807: return oid::jsonb;
    default: return 0;
  }
}

void append_value_json(std::string& out, std::uint32_t type_oid, std::string_view text) {
  switch (type_oid) {
    case oid::boolean:
      if (text == "t" || text == "f")
        out.append(text == "t" ? "true" : "false");
      else
        append_json_string(out, text);
      return;
    case oid::int2:
    case oid::int4:
    case oid::int8:
    case oid::float4:
    case oid::float8:
    case oid::numeric:
      return append_number_or_string(out, text);
    case oid::json:
    case oid::jsonb:
      out.append(text); // PostgreSQL checked it is JSON
      return;
    case oid::bytea:
      return append_bytea(out, text);
    case oid::timestamp:
    case oid::timestamptz:
      return append_iso_timestamp(out, text, true);
    default:
      break;
  }
  if (auto element = array_element_oid(type_oid))
    return append_array_json(out, element, text);
  append_json_string(out, text);
}

void append_array_json(std::string& out, std::uint32_t element_oid, std::string_view text) {
  auto mark = out.size();
  if (array_reader{text, element_oid}.append(out))
    return;
  out.resize(mark);
  append_json_string(out, text);
}

} // namespace rt::replication
