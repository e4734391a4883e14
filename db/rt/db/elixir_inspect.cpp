#include "rt/db/elixir_inspect.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include "rt/db/inspect_algebra.hpp"

namespace rt::db {

namespace {

using namespace algebra;
using replication::filter_condition;

constexpr int inspect_width = 80;
constexpr int inspect_limit = 100;
constexpr std::size_t printable_limit = 4096;

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
std::string quoted(std::string_view s) {
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

// A non-printable binary as Elixir shows it: <<104, 105, 0>>, at most
// `limit` bytes.
doc bytes_doc(std::string_view s, int limit) {
  if (limit <= 0)
    return text("...");
  auto byte = text(std::to_string(static_cast<unsigned char>(s.front())));
  if (s.size() == 1)
    return byte;
  return flex_glue(cons(byte, text(",")), bytes_doc(s.substr(1), limit - 1));
}

// Inspect for a binary; a non-printable one uses up `limit` by its size.
doc string_doc(std::string_view s, int& limit) {
  if (printable(s))
    return text(quoted(s));
  if (s.empty())
    return text("<<>>");
  auto d = group(cons(cons(text("<<"), nest(bytes_doc(s, limit), 2)), text(">>")));
  limit = std::max(0, limit - static_cast<int>(s.size()));
  return d;
}

enum class container_break { maybe, flex };

// Inspect.Algebra.container_doc_with_opts/6: `items` each render one
// element, using up the shared `limit` (one per element, plus what the
// element's own elements use); past it, "...".
template <typename Item>
doc container_doc(std::string_view left, const std::vector<Item>& items, std::string_view right,
                  container_break mode, int& limit, doc (*item_doc)(const Item&, int&)) {
  if (items.empty())
    return text(std::string{left} + std::string{right});
  std::vector<doc> docs;
  bool simple = true;
  for (const auto& item : items) {
    if (limit <= 0) {
      docs.push_back(text("..."));
      break;
    }
    --limit;
    docs.push_back(item_doc(item, limit));
    simple = simple && is_simple(docs.back());
  }
  bool flex = simple || mode == container_break::flex;
  doc joined = docs.back();
  for (auto it = docs.rbegin() + 1; it != docs.rend(); ++it)
    joined = flex ? flex_glue(cons(*it, text(",")), joined)
                  : glue(cons(*it, text(",")), " ", joined);
  if (flex)
    return group(cons(cons(text(std::string{left}), nest(joined, 1)), text(std::string{right})));
  return group(glue(nest(glue(text(std::string{left}), "", joined), 2), "", text(std::string{right})));
}

// A tuple element: a string or a boolean.
struct term {
  std::string value;
  bool is_boolean = false;
};

doc term_doc(const term& t, int& limit) { return t.is_boolean ? text(t.value) : string_doc(t.value, limit); }

doc filter_doc(const filter_condition& f, int& limit) {
  std::vector<term> elements{{f.column}, {std::string{replication::to_string(f.op)}}, {f.value},
                             {f.negate ? "true" : "false", true}};
  return container_doc("{", elements, "}", container_break::flex, limit, &term_doc);
}

doc name_doc(const std::string& s, int& limit) { return string_doc(s, limit); }

template <typename Item>
std::string inspect_list(const std::vector<Item>& items, doc (*item_doc)(const Item&, int&)) {
  int limit = inspect_limit;
  return render(group(container_doc("[", items, "]", container_break::maybe, limit, item_doc)),
                inspect_width);
}

} // namespace

std::string inspect_strings(const std::vector<std::string>& items) {
  return inspect_list(items, &name_doc);
}

std::string inspect_filters(const std::vector<filter_condition>& filters) {
  return inspect_list(filters, &filter_doc);
}

} // namespace rt::db
