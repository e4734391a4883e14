#include "rt/replication/are_bracket.hpp"

#include <gtest/gtest.h>

using namespace rt::replication::detail;

namespace {

// The RE2 text of the bracket expression starting `pattern`, or "invalid:
// <why>" / "unsupported: <why>"; checks that it took `consumed` bytes.
std::string bracket(std::string_view pattern, bracket_context context = {},
                    std::size_t consumed = std::string_view::npos) {
  auto out = translate_bracket(pattern, 0, context);
  if (!out)
    return (out.error().what == are_error::kind::invalid ? "invalid: " : "unsupported: ") +
           out.error().reason;
  EXPECT_EQ(out->length, consumed == std::string_view::npos ? pattern.size() : consumed) << pattern;
  return out->re2;
}

const bracket_context unicode{classification::unicode, false, false, 0};
const bracket_context ascii_icase{classification::ascii, true, true, 0};

} // namespace

TEST(AreBracket, characters_and_ranges) {
  EXPECT_EQ(bracket("[abc]"), "[abc]");
  EXPECT_EQ(bracket("[a-z0-9_]"), "[a-z0-9_]");
  EXPECT_EQ(bracket("[^a-z]"), "[^a-z]");
  EXPECT_EQ(bracket("[é-ë日]"), "[é-ë日]");
  EXPECT_EQ(bracket("[.*+?(){}|$^]"), "[\\.\\*\\+\\?\\(\\)\\{\\}\\|\\$\\^]");
  EXPECT_EQ(bracket("[ab]cd", {}, 4), "[ab]");
}

TEST(AreBracket, a_closing_bracket_first_and_a_dash_first_or_last_are_literals) {
  EXPECT_EQ(bracket("[]a]"), "[\\]a]");
  EXPECT_EQ(bracket("[^]a]"), "[^\\]a]");
  EXPECT_EQ(bracket("[]-a]"), "[\\]-a]");
  EXPECT_EQ(bracket("[-a]"), "[\\-a]");
  EXPECT_EQ(bracket("[^-a]"), "[^\\-a]");
  EXPECT_EQ(bracket("[a-]"), "[a\\-]");
  EXPECT_EQ(bracket("[!--]"), "[\\!-\\-]");
  EXPECT_EQ(bracket("[--/]"), "[\\--\\/]");
  EXPECT_EQ(bracket("[[a]"), "[\\[a]");
}

TEST(AreBracket, bad_ranges_are_invalid) {
  for (std::string_view p : {"[z-a]", "[a-c-e]", "[[:alpha:]-z]", "[a-[:alpha:]]", "[a-\\d]",
                             "[[=a=]-c]", "[a--]"})
    EXPECT_EQ(bracket(p), "invalid: invalid character range") << p;
}

TEST(AreBracket, unclosed_expressions_are_invalid) {
  for (std::string_view p :
       {"[", "[a", "[]", "[^]", "[a-", "[[:alpha:]", "[[:alpha]", "[[.a]", "[\\"})
    EXPECT_NE(bracket(p).find("invalid: "), std::string::npos) << p;
  EXPECT_EQ(bracket("[a"), "invalid: brackets [] not balanced");
  EXPECT_EQ(bracket("[[:alpha]"), "invalid: brackets [] not balanced");
}

TEST(AreBracket, classes_follow_the_classification) {
  EXPECT_EQ(bracket("[[:alpha:]_]"), "[A-Za-z_]");
  EXPECT_EQ(bracket("[[:alpha:]_]", unicode), "[\\p{L}\\p{Nl}\\p{Mc}_]");
  EXPECT_EQ(bracket("[^[:digit:][:space:]]"), "[^0-9\\x{9}-\\x{D}\\x{20}]");
  EXPECT_EQ(bracket("[[:word:]]"), "[0-9A-Za-z_]");
  EXPECT_EQ(bracket("[[:foo:]]"), "invalid: invalid character class");
  EXPECT_EQ(bracket("[[::]]"), "invalid: invalid character class");
}

TEST(AreBracket, single_character_collating_elements_and_equivalence_classes) {
  EXPECT_EQ(bracket("[[.a.]]"), "[a]");
  EXPECT_EQ(bracket("[[.a.]-c]"), "[a-c]");
  EXPECT_EQ(bracket("[[=é=]x]"), "[éx]");
  EXPECT_EQ(bracket("[[.-.]]"), "[\\-]");
  EXPECT_EQ(bracket("[[.hyphen.]]"),
            "unsupported: a collating element named by several characters (as in [[.hyphen.]]) is "
            "PostgreSQL ARE syntax that RE2 lacks");
  EXPECT_EQ(bracket("[[..]]"), "invalid: invalid collating element");
}

TEST(AreBracket, escapes) {
  EXPECT_EQ(bracket("[\\]\\\\]"), "[\\]\\\\]");
  EXPECT_EQ(bracket("[\\n\\t\\u00e9\\x41]"), "[\\x{A}\\x{9}éA]");
  EXPECT_EQ(bracket("[\\d.]"), "[0-9\\.]");
  EXPECT_EQ(bracket("[a\\s]"), "[a\\x{9}-\\x{D}\\x{20}]");
  EXPECT_EQ(bracket("[\\w-]"), "[0-9A-Za-z_\\-]");
  for (std::string_view p : {"[\\y]", "[\\A]", "[\\m]", "[\\1]", "[\\q]"})
    EXPECT_EQ(bracket(p), "invalid: invalid escape \\ sequence") << p;
}

TEST(AreBracket, complemented_shorthands_are_the_ranges_outside_their_class) {
  EXPECT_EQ(bracket("[\\D]"), "[\\x{0}-\\x{2F}\\x{3A}-\\x{10FFFF}]");
  EXPECT_EQ(bracket("[a\\W]"), "[a\\x{0}-\\x{2F}\\x{3A}-\\x{40}\\x{5B}-\\x{5E}\\x{60}\\x{7B}-\\x{10FFFF}]");
  EXPECT_EQ(bracket("[^\\W_]"), "[^\\x{0}-\\x{2F}\\x{3A}-\\x{40}\\x{5B}-\\x{5E}\\x{60}\\x{7B}-\\x{10FFFF}_]");
  EXPECT_EQ(bracket("[^\\S]", unicode), "[^\\x{0}-\\x{8}\\x{E}-\\x{1F}\\x{21}-\\x{167F}\\x{1681}-"
                                      "\\x{1FFF}\\x{2007}\\x{200B}-\\x{2027}\\x{202A}-\\x{205E}"
                                      "\\x{2060}-\\x{2FFF}\\x{3001}-\\x{10FFFF}]");
}

// Unicode's \\W is written [^...] in RE2, which cannot go inside brackets.
TEST(AreBracket, a_unicode_complemented_word_class_makes_an_alternation) {
  EXPECT_EQ(bracket("[a\\W]", unicode), "(?:[a]|[^\\p{L}\\p{Nl}\\p{Mc}\\p{Nd}_])");
  EXPECT_EQ(bracket("[\\W]", unicode), "(?:[^\\p{L}\\p{Nl}\\p{Mc}\\p{Nd}_])");
  EXPECT_EQ(bracket("[^\\W_]", unicode),
            "unsupported: \\W inside a negated bracket expression (as in [^\\W_]) under a "
            "collation other than C is PostgreSQL ARE syntax that RE2 lacks");
}

TEST(AreBracket, characters_past_unicode_match_nothing) {
  EXPECT_EQ(bracket("[\\x110000]"), "[^\\x{0}-\\x{10FFFF}]");
  EXPECT_EQ(bracket("[^\\x110000]"), "[\\x{0}-\\x{10FFFF}]");
  EXPECT_EQ(bracket("[a\\x110000]"), "[a]");
  EXPECT_EQ(bracket("[\\x10FFFE-\\x110005]"), "[\xF4\x8F\xBF\xBE-\xF4\x8F\xBF\xBF]");
}

TEST(AreBracket, case_insensitive) {
  EXPECT_EQ(bracket("[a-cX]", ascii_icase), "[a-cA-CXx]");
  EXPECT_EQ(bracket("[^x-]", ascii_icase), "[^xX\\-]");
  EXPECT_EQ(bracket("[W-c]", ascii_icase), "[W-cA-Cw-z]");
  EXPECT_EQ(bracket("[é]", ascii_icase), "[é]");
  EXPECT_EQ(bracket("[[:lower:]]", ascii_icase), "[A-Za-z]");
  EXPECT_EQ(bracket("[[:upper:]]", {classification::unicode, true, false, 0}),
            "[\\p{L}\\p{Nl}\\p{Mc}]");
  EXPECT_EQ(bracket("[[:lower:]]", unicode), "[\\p{Ll}]");
}

TEST(AreBracket, octal_or_back_reference_depends_on_the_groups_before) {
  EXPECT_EQ(bracket("[\\12]"), "[\\x{A}]");
  EXPECT_EQ(bracket("[\\12]", {classification::ascii, false, false, 12}),
            "invalid: invalid escape \\ sequence");
}
