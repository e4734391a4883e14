#include "rt/replication/regex_classes.hpp"

#include <locale.h>
#include <wctype.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "rt/replication/re2_pattern.hpp"

using namespace rt::replication::detail;

namespace {

const std::vector<std::string> class_names{"alnum", "alpha", "ascii", "blank", "cntrl",
                                           "digit", "graph", "lower", "print", "punct",
                                           "space", "upper", "xdigit", "word"};

std::string utf8(char32_t c) {
  std::string s;
  auto byte = [&](char32_t b) { s += static_cast<char>(b); };
  if (c < 0x80) {
    byte(c);
  } else if (c < 0x800) {
    byte(0xC0 | (c >> 6));
    byte(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    byte(0xE0 | (c >> 12));
    byte(0x80 | ((c >> 6) & 0x3F));
    byte(0x80 | (c & 0x3F));
  } else {
    byte(0xF0 | (c >> 18));
    byte(0x80 | ((c >> 12) & 0x3F));
    byte(0x80 | ((c >> 6) & 0x3F));
    byte(0x80 | (c & 0x3F));
  }
  return s;
}

// Membership of code points in one class as RE2 reads its members.
class members_matcher {
public:
  members_matcher(char_class c, classification set) {
    auto compiled = re2_pattern::compile("^[" + std::string{class_members(c, set)} + "]$", false);
    EXPECT_TRUE(compiled) << (compiled ? "" : compiled.error().text);
    if (compiled)
      re_ = *compiled;
  }
  bool operator()(char32_t c) const { return re_ && re_->search(utf8(c)); }

private:
  std::shared_ptr<const re2_pattern> re_;
};

// PostgreSQL's classes that do not follow the locale.
std::optional<bool> fixed_membership(const std::string& name, char32_t c) {
  if (name == "ascii")
    return c < 0x80;
  if (name == "blank")
    return c == '\t' || c == ' ';
  if (name == "cntrl")
    return c < 0x20 || (c >= 0x7F && c < 0xA0);
  if (name == "xdigit")
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  return std::nullopt;
}

// What PostgreSQL's regex gives under `locale` (word: alnum or `_`).
bool glibc_membership(const std::string& name, char32_t c, locale_t locale) {
  if (auto fixed = fixed_membership(name, c))
    return *fixed;
  if (name == "word")
    return c == '_' || iswalnum_l(static_cast<wint_t>(c), locale);
  return iswctype_l(static_cast<wint_t>(c), wctype_l(name.c_str(), locale), locale);
}

} // namespace

TEST(RegexClasses, postgresql_class_names) {
  for (const auto& name : class_names)
    EXPECT_TRUE(class_named(name)) << name;
  for (std::string_view name : {"", "Alpha", "alphanum", "d", "<", "word "})
    EXPECT_FALSE(class_named(name)) << name;
}

TEST(RegexClasses, ascii_classes_hold_what_the_c_locale_does_and_nothing_above_ascii) {
  locale_t c_locale = newlocale(LC_CTYPE_MASK, "C", static_cast<locale_t>(nullptr));
  ASSERT_TRUE(c_locale);
  for (const auto& name : class_names) {
    members_matcher in_class{*class_named(name), classification::ascii};
    for (char32_t c = 0; c < 0x800; ++c) {
      bool expected = c < 0x80 ? glibc_membership(name, c, c_locale)
                               : fixed_membership(name, c).value_or(false);
      EXPECT_EQ(in_class(c), expected) << name << " U+" << std::hex << static_cast<unsigned>(c);
    }
    for (char32_t c : {0x3000u, 0x4E00u, 0xFF10u, 0x1F600u, 0x10FFFFu})
      EXPECT_FALSE(in_class(c)) << name << " U+" << std::hex << static_cast<unsigned>(c);
  }
  freelocale(c_locale);
}

TEST(RegexClasses, complements_hold_exactly_the_characters_outside) {
  for (auto set : {classification::ascii, classification::unicode})
    for (const auto& name : class_names) {
      auto c = *class_named(name);
      auto outside = class_complement(c, set);
      bool listed = c == char_class::digit || c == char_class::space ||
                    (c == char_class::word && set == classification::ascii);
      ASSERT_EQ(outside.has_value(), listed) << name;
      if (!outside)
        continue;
      members_matcher in_class{c, set};
      auto compiled = re2_pattern::compile("^[" + std::string{*outside} + "]$", false);
      ASSERT_TRUE(compiled);
      for (char32_t x = 0; x < 0x3100; ++x)
        EXPECT_NE(in_class(x), (*compiled)->search(utf8(x)))
          << name << " U+" << std::hex << static_cast<unsigned>(x);
      for (char32_t x : {0xFFFFu, 0x10000u, 0x10FFFFu})
        EXPECT_TRUE((*compiled)->search(utf8(x))) << name;
    }
}

// glibc's tables in C.UTF-8 and en_US.UTF-8 are the same; C.UTF-8 is
// built into glibc.
TEST(RegexClasses, unicode_classes_agree_with_glibc_on_common_scripts) {
  locale_t utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  if (!utf8_locale)
    GTEST_SKIP() << "locale C.UTF-8 is not available";
  // Latin, Greek, Cyrillic, Hebrew, Arabic and its digits, Devanagari
  // letters, punctuation and spaces, CJK, Hangul, fullwidth forms, emoji.
  const std::vector<std::pair<char32_t, char32_t>> ranges{
    {0, 0x24F},       {0x370, 0x52F},   {0x5D0, 0x5EA},   {0x620, 0x64A},
    {0x660, 0x669},   {0x905, 0x939},   {0x2000, 0x206F}, {0x3000, 0x30FF},
    {0x4E00, 0x4FFF}, {0xAC00, 0xAD00}, {0xFF00, 0xFFEF}, {0x1F600, 0x1F64F}};
  // The documented differences found in those ranges.
  const std::set<std::pair<std::string, char32_t>> differences{
    // Hangul tone marks (Mc): glibc counts them as punctuation.
    {"alpha", 0x302E}, {"alpha", 0x302F}, {"alnum", 0x302E}, {"alnum", 0x302F},
    {"word", 0x302E}, {"word", 0x302F},
    // Decimal digits other than 0-9 are letters to glibc's alpha.
    {"alpha", 0x660}, {"alpha", 0x661}, {"alpha", 0x662}, {"alpha", 0x663}, {"alpha", 0x664},
    {"alpha", 0x665}, {"alpha", 0x666}, {"alpha", 0x667}, {"alpha", 0x668}, {"alpha", 0x669},
    {"alpha", 0xFF10}, {"alpha", 0xFF11}, {"alpha", 0xFF12}, {"alpha", 0xFF13},
    {"alpha", 0xFF14}, {"alpha", 0xFF15}, {"alpha", 0xFF16}, {"alpha", 0xFF17},
    {"alpha", 0xFF18}, {"alpha", 0xFF19},
    // glibc's lower also has ª, º, the title-case digraphs and ͺ.
    {"lower", 0xAA}, {"lower", 0xBA}, {"lower", 0x1C5}, {"lower", 0x1C8}, {"lower", 0x1CB},
    {"lower", 0x1F2}, {"lower", 0x37A},
    // Combining marks (Mn) that glibc counts as punctuation.
    {"punct", 0x483}, {"punct", 0x484}, {"punct", 0x485}, {"punct", 0x486}, {"punct", 0x487},
    {"punct", 0x302A}, {"punct", 0x302B}, {"punct", 0x302C}, {"punct", 0x302D},
    {"punct", 0x302E}, {"punct", 0x302F}, {"punct", 0x3099}, {"punct", 0x309A}};
  for (const auto& name : class_names) {
    members_matcher in_class{*class_named(name), classification::unicode};
    for (auto [low, high] : ranges)
      for (char32_t c = low; c <= high; ++c) {
        bool differs = differences.contains({name, c});
        EXPECT_EQ(in_class(c) != glibc_membership(name, c, utf8_locale), differs)
          << name << " U+" << std::hex << static_cast<unsigned>(c);
      }
  }
  freelocale(utf8_locale);
}
