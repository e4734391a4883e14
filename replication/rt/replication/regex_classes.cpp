#include "rt/replication/regex_classes.hpp"

#include <array>

namespace rt::replication::detail {

namespace {

struct class_info {
  std::string_view name;
  std::string_view ascii;
  std::string_view unicode;
};

// In char_class order. blank, cntrl, xdigit and ascii are fixed by
// PostgreSQL; glibc's digit is 0-9 in every locale. glibc counts the
// no-break spaces U+00A0, U+2007 and U+202F as punctuation, not spaces.
constexpr std::array<class_info, 14> classes{{
  {"alnum", "0-9A-Za-z", "\\p{L}\\p{Nl}\\p{Mc}\\p{Nd}"},
  {"alpha", "A-Za-z", "\\p{L}\\p{Nl}\\p{Mc}"},
  {"ascii", "\\x{0}-\\x{7F}", "\\x{0}-\\x{7F}"},
  {"blank", "\\x{9}\\x{20}", "\\x{9}\\x{20}"},
  {"cntrl", "\\x{0}-\\x{1F}\\x{7F}-\\x{9F}", "\\x{0}-\\x{1F}\\x{7F}-\\x{9F}"},
  {"digit", "0-9", "0-9"},
  {"graph", "\\x{21}-\\x{7E}",
   "\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}\\p{Cf}\\p{Co}\\x{A0}\\x{2007}\\x{202F}"},
  {"lower", "a-z", "\\p{Ll}"},
  {"print", "\\x{20}-\\x{7E}", "\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}\\p{Zs}\\p{Cf}\\p{Co}"},
  {"punct", "\\x{21}-\\x{2F}\\x{3A}-\\x{40}\\x{5B}-\\x{60}\\x{7B}-\\x{7E}",
   "\\p{P}\\p{S}\\p{No}\\p{Me}\\p{Cf}\\p{Co}\\x{A0}\\x{2007}\\x{202F}"},
  {"space", "\\x{9}-\\x{D}\\x{20}",
   "\\x{9}-\\x{D}\\x{20}\\x{1680}\\x{2000}-\\x{2006}\\x{2008}-\\x{200A}\\x{2028}\\x{2029}"
   "\\x{205F}\\x{3000}"},
  {"upper", "A-Z", "\\p{Lu}\\p{Lt}"},
  {"xdigit", "0-9A-Fa-f", "0-9A-Fa-f"},
  {"word", "0-9A-Za-z_", "\\p{L}\\p{Nl}\\p{Mc}\\p{Nd}_"},
}};

constexpr std::string_view not_digit = "\\x{0}-\\x{2F}\\x{3A}-\\x{10FFFF}";

} // namespace

std::optional<char_class> class_named(std::string_view name) noexcept {
  for (std::size_t i = 0; i < classes.size(); ++i)
    if (classes[i].name == name)
      return static_cast<char_class>(i);
  return std::nullopt;
}

char_class shorthand_class(char letter) noexcept {
  switch (letter) {
    case 'd': case 'D': return char_class::digit;
    case 's': case 'S': return char_class::space;
    default: return char_class::word;
  }
}

std::string_view class_members(char_class c, classification set) noexcept {
  const auto& info = classes[static_cast<std::size_t>(c)];
  return set == classification::ascii ? info.ascii : info.unicode;
}

std::optional<std::string_view> class_complement(char_class c, classification set) noexcept {
  bool ascii = set == classification::ascii;
  switch (c) {
    case char_class::digit: return not_digit;
    case char_class::space:
      if (ascii)
        return "\\x{0}-\\x{8}\\x{E}-\\x{1F}\\x{21}-\\x{10FFFF}";
      return "\\x{0}-\\x{8}\\x{E}-\\x{1F}\\x{21}-\\x{167F}\\x{1681}-\\x{1FFF}\\x{2007}"
             "\\x{200B}-\\x{2027}\\x{202A}-\\x{205E}\\x{2060}-\\x{2FFF}\\x{3001}-\\x{10FFFF}";
    case char_class::word:
      if (ascii)
        return "\\x{0}-\\x{2F}\\x{3A}-\\x{40}\\x{5B}-\\x{5E}\\x{60}\\x{7B}-\\x{10FFFF}";
      return std::nullopt;
    default: return std::nullopt;
  }
}

} // namespace rt::replication::detail
