#include "rt/protocol/elixir_string.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <utility>

namespace rt::protocol {

namespace {

constexpr std::size_t printable_limit = 4096;
// Bytes of a non-printable binary shown before "...".
constexpr std::size_t bytes_limit = 50;

// The code point at s[i] and its length, or nullopt for an invalid UTF-8
// sequence (what Erlang's <<c::utf8>> rejects).
std::optional<std::pair<char32_t, std::size_t>> decode_utf8(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80)
    return std::pair{char32_t{lead}, std::size_t{1}};
  std::size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (len == 0 || lead > 0xF4 || i + len > s.size())
    return std::nullopt;
  char32_t cp = lead & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80)
      return std::nullopt;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  constexpr std::array<char32_t, 5> min_for_len = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return std::nullopt;
  return std::pair{cp, len};
}

bool printable_code_point(char32_t c) {
  return (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF) || c == '\n' || c == '\r' || c == '\t' || c == '\v' ||
         c == '\b' || c == '\f' || c == 0x1B || c == 0x7F || c == 0x07;
}

// String.printable?(s, 4096).
bool printable(std::string_view s) {
  std::size_t i = 0;
  for (std::size_t n = 0; n < printable_limit && i < s.size(); ++n) {
    auto cp = decode_utf8(s, i);
    if (!cp || !printable_code_point(cp->first))
      return false;
    i += cp->second;
  }
  return true;
}

std::string hex(std::uint32_t value, int digits) {
  static constexpr char digit[] = "0123456789ABCDEF";
  std::string out(static_cast<std::size_t>(digits), '0');
  for (int k = digits - 1; k >= 0; --k, value >>= 4)
    out[static_cast<std::size_t>(k)] = digit[value & 0xF];
  return out;
}

// Code points Elixir shows as \uXXXX although printable (invisible ones).
bool confusing(char32_t c) {
  return c == 0xFEFF || (c >= 0x2061 && c <= 0x2064) || c == 0x061C || c == 0x200E || c == 0x200F ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || (c >= 0xFFF9 && c <= 0xFFFC) ||
         c == 0x200C || c == 0x200D || c == 0x034F || c == 0x00A0 || c == 0x200B || c == 0x2060 ||
         c == 0x2028 || c == 0x2029 || (c >= 0x2000 && c <= 0x200A) || c == 0x205F;
}

std::optional<std::string_view> escape_map(char32_t c) {
  switch (c) {
  case 0x07: return "\\a";
  case '\b': return "\\b";
  case 0x7F: return "\\d";
  case 0x1B: return "\\e";
  case '\f': return "\\f";
  case '\n': return "\\n";
  case '\r': return "\\r";
  case '\t': return "\\t";
  case '\v': return "\\v";
  case '\\': return "\\\\";
  default: return std::nullopt;
  }
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// Code.Identifier.escape_char/2.
void append_escaped(std::string& out, char32_t c) {
  if (auto mapped = escape_map(c))
    out += *mapped;
  else if (c == 0)
    out += "\\0";
  else if (confusing(c))
    out += "\\u" + hex(c, 4);
  else if (printable_code_point(c))
    append_utf8(out, c);
  else if (c < 0x100)
    out += "\\x" + hex(c, 2);
  else if (c < 0x10000)
    out += "\\x{" + hex(c, 4) + "}";
  else
    out += "\\x{" + hex(c, 6) + "}";
}

// A printable binary as Elixir shows it: in double quotes with escapes,
// cut after 4096 characters with ` <> ...`.
std::string quoted_impl(std::string_view s) {
  std::string out = "\"";
  std::size_t i = 0;
  for (std::size_t n = 0; i < s.size(); ++n) {
    if (n == printable_limit)
      return out + "\" <> ...";
    if (s[i] == '"') {
      out += "\\\"";
      ++i;
    } else if (s[i] == '#' && i + 1 < s.size() && s[i + 1] == '{') {
      out += "\\#{";
      i += 2;
    } else if (auto cp = decode_utf8(s, i)) {
      append_escaped(out, cp->first);
      i += cp->second;
    } else {
      out += "\\x" + hex(static_cast<unsigned char>(s[i]), 2);
      ++i;
    }
  }
  return out + "\"";
}

} // namespace

bool elixir_printable(std::string_view s) {
  return printable(s);
}

std::string elixir_quoted(std::string_view s) {
  return quoted_impl(s);
}

std::string elixir_inspect_binary(std::string_view s) {
  if (printable(s))
    return quoted_impl(s);
  std::string out = "<<";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0)
      out += ", ";
    if (i == bytes_limit)
      return out + "...>>";
    out += std::to_string(static_cast<unsigned char>(s[i]));
  }
  return out + ">>";
}

} // namespace rt::protocol
