#include "rt/replication/re2_syntax.hpp"

namespace rt::replication::detail {

namespace {

bool is_word_ascii(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

void append_hex(std::string& out, char32_t c) {
  static constexpr char digits[] = "0123456789ABCDEF";
  char buffer[8];
  int n = 0;
  do {
    buffer[n++] = digits[c & 0xF];
    c >>= 4;
  } while (c != 0);
  out += "\\x{";
  while (n > 0)
    out += buffer[--n];
  out += '}';
}

void append_utf8(std::string& out, char32_t c) {
  auto byte = [&](char32_t b) { out += static_cast<char>(b); };
  if (c < 0x800) {
    byte(0xC0 | (c >> 6));
  } else if (c < 0x10000) {
    byte(0xE0 | (c >> 12));
    byte(0x80 | ((c >> 6) & 0x3F));
  } else {
    byte(0xF0 | (c >> 18));
    byte(0x80 | ((c >> 12) & 0x3F));
    byte(0x80 | ((c >> 6) & 0x3F));
  }
  byte(0x80 | (c & 0x3F));
}

} // namespace

utf8_char decode_utf8(std::string_view s, std::size_t i) noexcept {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80)
    return {b, 1};
  std::size_t length = (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (length == 0 || i + length > s.size())
    return {};
  char32_t c = b & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    auto cont = static_cast<unsigned char>(s[i + k]);
    if ((cont & 0xC0) != 0x80)
      return {};
    c = (c << 6) | (cont & 0x3F);
  }
  static constexpr char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < smallest[length] || c > max_code_point || (c >= 0xD800 && c <= 0xDFFF))
    return {};
  return {c, length};
}

void append_re2_char(std::string& out, char32_t c) {
  if (is_word_ascii(c))
    out += static_cast<char>(c);
  else if (c >= 0x20 && c < 0x7F)
    (out += '\\') += static_cast<char>(c);
  else if (c < 0xA0 || (c >= 0xD800 && c <= 0xDFFF))
    append_hex(out, c);
  else
    append_utf8(out, c);
}

} // namespace rt::replication::detail
