#include "rt/replication/are_to_re2.hpp"

#include <gtest/gtest.h>

using namespace rt::replication::detail;

namespace {

std::string outcome(const tl::expected<re2_translation, are_error>& out) {
  if (out)
    return out->pattern;
  auto kind = out.error().what == are_error::kind::invalid ? "invalid: " : "unsupported: ";
  return kind + out.error().reason;
}

// The RE2 pattern for `pattern` (case-sensitive, ASCII classes), or
// "invalid: <why>" / "unsupported: <why>".
std::string re2(std::string_view pattern) {
  return outcome(are_to_re2(pattern, false, classification::ascii));
}

std::string re2_icase(std::string_view pattern, classification classes = classification::ascii) {
  return outcome(are_to_re2(pattern, true, classes));
}

std::string re2_unicode(std::string_view pattern) {
  return outcome(are_to_re2(pattern, false, classification::unicode));
}

bool refused(std::string_view pattern) {
  return !are_to_re2(pattern, false, classification::ascii).has_value();
}

const std::string quantifier_on_quantifier =
  "unsupported: a quantifier right after another, as in a** or a{2}{3}, is invalid (quantifier "
  "operand invalid)";

} // namespace

TEST(AreToRe2, syntax_both_read_alike_stays) {
  for (std::string_view p : {"^(foo|bar)+[0-9]{2}$", "a.b*c?", "a{2,3}", "a{2,}", "(a|)", "()*",
                             "(?:ab)+c", "a|b|", "x\\.y\\(\\)\\*\\+\\?\\|\\^\\$\\[\\]\\{\\}\\\\"})
    EXPECT_EQ(re2(p), p);
  EXPECT_EQ(re2("日本語"), "日本語");
  EXPECT_EQ(re2(""), "");
}

TEST(AreToRe2, other_characters_are_escaped_for_re2) {
  EXPECT_EQ(re2("x}"), "x\\}");
  EXPECT_EQ(re2("a]b"), "a\\]b");
  EXPECT_EQ(re2("a b#c-d"), "a\\ b\\#c\\-d");
  EXPECT_EQ(re2("tab\there"), "tab\\x{9}here");
  EXPECT_EQ(re2("a{02}"), "a{2}");
}

TEST(AreToRe2, non_greedy_quantifiers_stay) {
  for (std::string_view p :
       {"x+?", "x*?y", "x??", "x{2}?", "x{2,}?", "(ab){2,5}?c", "x+?y+?", "(x+?)?"})
    EXPECT_EQ(re2(p), p);
}

TEST(AreToRe2, a_quantifier_after_a_quantifier_is_refused) {
  for (std::string_view p : {"a**", "a+*", "a*+", "a?*", "a{2}{3}", "a{2}*", "a*{2}", "a{2,}+",
                             "(ab)+*", "a*?+", "a*?*", "a{2}?{3}", "a???", "a+??", "x|a**"})
    EXPECT_EQ(re2(p), quantifier_on_quantifier) << p;
  // A group, an escaped or bracketed quantifier character and a literal
  // brace are operands.
  for (std::string_view p : {"(a*)*", "(a+)+", "a\\**", "[*]*", "a*{x", "a*\\{2}"})
    EXPECT_FALSE(refused(p)) << p;
}

TEST(AreToRe2, a_quantifier_with_nothing_to_repeat_is_invalid) {
  for (std::string_view p : {"*a", "(*a)", "a|*b", "x+|?", "^*", "a$?", "\\y+", "\\A*", "{2}",
                             "(?:+)", "***"})
    EXPECT_EQ(re2(p), "invalid: quantifier operand invalid") << p;
}

TEST(AreToRe2, a_brace_without_a_digit_after_it_is_a_literal) {
  EXPECT_EQ(re2("a{x"), "a\\{x");
  EXPECT_EQ(re2("a{,3}"), "a\\{\\,3\\}");
  EXPECT_EQ(re2("{"), "\\{");
  EXPECT_EQ(re2("[{]"), "[\\{]");
}

TEST(AreToRe2, malformed_bounds_are_invalid) {
  EXPECT_EQ(re2("a{2"), "invalid: braces {} not balanced");
  EXPECT_EQ(re2("a{2,"), "invalid: braces {} not balanced");
  EXPECT_EQ(re2("a{3,2}"), "invalid: invalid repetition count(s)");
  EXPECT_EQ(re2("a{2x}"), "invalid: invalid repetition count(s)");
  EXPECT_EQ(re2("a{1,2,3}"), "invalid: invalid repetition count(s)");
  // Above PostgreSQL's 255 where the size rule does not already refuse it.
  EXPECT_EQ(re2("(){256}"), "invalid: invalid repetition count(s)");
  EXPECT_EQ(re2("(){255}"), "(){255}");
}

TEST(AreToRe2, class_shorthands_follow_the_classification) {
  EXPECT_EQ(re2("\\d+"), "[0-9]+");
  EXPECT_EQ(re2("\\D"), "[^0-9]");
  EXPECT_EQ(re2("\\s"), "[\\x{9}-\\x{D}\\x{20}]");
  EXPECT_EQ(re2("\\w\\W"), "[0-9A-Za-z_][^0-9A-Za-z_]");
  EXPECT_EQ(re2_unicode("\\w"), "[\\p{L}\\p{Nl}\\p{Mc}\\p{Nd}_]");
  EXPECT_EQ(re2_unicode("\\S"), "[^\\x{9}-\\x{D}\\x{20}\\x{1680}\\x{2000}-\\x{2006}"
                                "\\x{2008}-\\x{200A}\\x{2028}\\x{2029}\\x{205F}\\x{3000}]");
  EXPECT_EQ(re2_unicode("\\d"), "[0-9]");
}

TEST(AreToRe2, constraint_escapes_map_to_re2s) {
  EXPECT_EQ(re2("\\Aab\\Z"), "\\Aab\\z");
  EXPECT_EQ(re2("\\yab"), "\\bab");
  // RE2's \B holds inside a character, between its UTF-8 bytes.
  EXPECT_EQ(re2("ab\\Y|c"), "^.*?(?:ab\\B|c)");
  for (std::string_view p : {"\\mfoo", "foo\\M", "[[:<:]]foo", "foo[[:>:]]"})
    EXPECT_EQ(re2(p), "unsupported: a word start or end constraint (\\m, \\M, [[:<:]] or [[:>:]]) "
                      "is PostgreSQL ARE syntax that RE2 lacks")
      << p;
}

TEST(AreToRe2, character_escapes_become_the_character) {
  EXPECT_EQ(re2("\\a\\b\\e\\f\\n\\r\\t\\v"), "\\x{7}\\x{8}\\x{1B}\\x{C}\\x{A}\\x{D}\\x{9}\\x{B}");
  EXPECT_EQ(re2("a\\Bb"), "a\\\\b"); // \B is a backslash in ARE
  EXPECT_EQ(re2("\\u00e9\\U0001F600\\x41\\x7e"), "é😀A\\~");
  EXPECT_EQ(re2("\\x000041"), "A");
  EXPECT_EQ(re2("\\cA\\c["), "\\x{1}\\x{1B}");
  EXPECT_EQ(re2("\\0\\012\\101"), "\\x{0}\\x{A}A");
  EXPECT_EQ(re2("\\0777"), "\\?7"); // three octal digits at most, 0377 at most
  EXPECT_EQ(re2("\\*\\é"), "\\*é");
  // A character no text has.
  EXPECT_EQ(re2("\\x110000"), "[^\\x{0}-\\x{10FFFF}]");
}

TEST(AreToRe2, bad_escapes_are_invalid) {
  for (std::string_view p : {"a\\", "\\q", "\\z", "\\E", "\\u12", "\\U0001F60", "\\x", "\\x{41}",
                             "\\x80000000", "\\c"})
    EXPECT_EQ(re2(p), "invalid: invalid escape \\ sequence") << p;
}

TEST(AreToRe2, back_references_are_refused) {
  const std::string message = "unsupported: back-references (\\1 to \\9) are refused: matching "
                              "them can take exponential time";
  for (std::string_view p :
       {"(a)\\1", "(a)(b)\\2", "((a))\\9", "\\1", "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)\\12"})
    EXPECT_EQ(re2(p), message) << p;
  // Several digits past the groups opened so far are an octal escape, as
  // in PostgreSQL.
  EXPECT_EQ(re2("(a)\\12"), "(a)\\x{A}");
  EXPECT_EQ(re2("\\101"), "A");
  EXPECT_EQ(re2("\\81"), "invalid: invalid escape \\ sequence");
}

TEST(AreToRe2, directors_and_leading_options) {
  EXPECT_EQ(re2("***=a.b*"), "a\\.b\\*");
  EXPECT_EQ(re2("***:a.b*"), "a.b*");
  EXPECT_EQ(re2("***?a"), "invalid: invalid regexp (reg version 0.8)");
  EXPECT_EQ(re2("(?q)a.b"), "a\\.b");
  EXPECT_EQ(re2("(?st)a"), "a");
  EXPECT_EQ(re2("***:(?i)ab"), re2_icase("ab"));
  EXPECT_EQ(re2_icase("(?c)ab"), "ab");
  EXPECT_EQ(re2("(?iq)a."), "[aA]\\.");
  EXPECT_EQ(re2("(?n)a"), "unsupported: newline-sensitive matching (the embedded options m, n, p "
                          "and w) is not supported");
  EXPECT_EQ(re2("(?x)a b"),
            "unsupported: expanded syntax (the embedded option x) is not supported");
  EXPECT_EQ(re2("(?b)a"), "unsupported: POSIX basic or extended syntax (the embedded options b and "
                          "e) is not supported");
  EXPECT_EQ(re2("(?z)a"), "invalid: invalid embedded option");
  EXPECT_EQ(re2("(?i"), "invalid: invalid embedded option");
  // Options only lead the pattern.
  EXPECT_EQ(re2("a(?i)b"), "invalid: quantifier operand invalid");
  // A director and ***= text keep their meaning only at the start.
  EXPECT_EQ(re2("a***=b"), quantifier_on_quantifier);
}

TEST(AreToRe2, groups) {
  EXPECT_EQ(re2("a(?#a comment)b"), "ab");
  EXPECT_EQ(re2("a(?#comment)*"), "a*");
  EXPECT_EQ(re2("a(?#unclosed"), "a");
  for (std::string_view p : {"a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b"})
    EXPECT_EQ(re2(p), "unsupported: a lookahead or lookbehind constraint ((?=, (?!, (?<= or (?<!) "
                      "is PostgreSQL ARE syntax that RE2 lacks")
      << p;
  EXPECT_EQ(re2("(?<a)"), "invalid: quantifier operand invalid");
  EXPECT_EQ(re2("a(?"), "invalid: quantifier operand invalid");
  EXPECT_EQ(re2("a(b"), "invalid: parentheses () not balanced");
  EXPECT_EQ(re2("a)b"), "invalid: parentheses () not balanced");
}

TEST(AreToRe2, case_insensitive_ascii_lists_both_cases) {
  EXPECT_EQ(re2_icase("aB1é"), "[aA][bB]1é");
  EXPECT_EQ(re2_icase("\\x41"), "[aA]");
  EXPECT_EQ(re2_icase("[a-cX]"), "[a-cA-CXx]");
  EXPECT_EQ(re2_icase("[[:lower:]]"), "[A-Za-z]");
  EXPECT_EQ(re2_icase("[^[:upper:]]"), "[^A-Za-z]");
  auto unicode = are_to_re2("aB[[:lower:]]", true, classification::unicode);
  ASSERT_TRUE(unicode);
  EXPECT_EQ(unicode->pattern, "aB[\\p{L}\\p{Nl}\\p{Mc}]");
  EXPECT_TRUE(unicode->fold_case);
  EXPECT_FALSE(are_to_re2("aB", true, classification::ascii)->fold_case);
  EXPECT_FALSE(are_to_re2("aB", false, classification::unicode)->fold_case);
  EXPECT_FALSE(are_to_re2("(?c)aB", true, classification::unicode)->fold_case);
}

TEST(AreToRe2, text_that_is_not_utf8_is_invalid) {
  for (std::string_view p : {"a\xff", "\xc3", "[\xe9]", "\xed\xa0\x80", "\xc0\xaf"})
    EXPECT_EQ(re2(p), "invalid: the pattern is not valid UTF-8") << p;
}

TEST(AreToRe2, the_size_with_repetitions_expanded_is_limited) {
  EXPECT_EQ(re2("a{256}"), "unsupported: patterns larger than 255 once repetitions are expanded "
                           "(each character, escape, bracket or dot counted once per copy: a{3} is "
                           "3, (ab){3}c is 7) are refused");
  // One count: up to PostgreSQL's own limit; {m,} counts m.
  EXPECT_FALSE(refused("a{255}"));
  EXPECT_FALSE(refused("a{0,255}"));
  EXPECT_FALSE(refused("a{255,}"));
  EXPECT_TRUE(refused("a{256}"));
  EXPECT_TRUE(refused("a{1,256}"));
  EXPECT_TRUE(refused("a{256,}"));
  EXPECT_TRUE(refused("a{99999999999999999999}"));
  // Nested counts multiply.
  EXPECT_FALSE(refused("(a{15}){17}"));
  EXPECT_TRUE(refused("(a{16}){16}"));
  EXPECT_FALSE(refused("((a{2}|b){2}){42}"));
  EXPECT_TRUE(refused("((a{2}|b){2}){43}"));
  EXPECT_FALSE(refused("(x|(a{20})*){12}"));
  EXPECT_TRUE(refused("(x|(a{20})*){13}"));
  // Siblings and alternatives add up.
  EXPECT_FALSE(refused("a{100}b{100}(c{55})"));
  EXPECT_TRUE(refused("a{100}b{100}(c{56})"));
  EXPECT_FALSE(refused("(a{200}|b{55})"));
  EXPECT_TRUE(refused("(a{200}|b{56})"));
  EXPECT_FALSE(refused("[abc]{100}\\.{100}.{55}"));
  EXPECT_TRUE(refused("[abc]{100}\\.{100}.{56}"));
  EXPECT_FALSE(refused("\\w{100}\\d{100}\\x41{55}"));
  EXPECT_TRUE(refused("\\w{100}\\d{100}\\x41{56}"));
  EXPECT_TRUE(refused("a{255}b{255}"));
  std::string many;
  while (many.size() + 6 <= 1000)
    many += "a{255}";
  EXPECT_TRUE(refused(many));
  // Unrepeated, every character counts once, a UTF-8 character is one and
  // anchors count nothing; so do ***= characters.
  EXPECT_FALSE(refused(std::string(255, 'a')));
  EXPECT_TRUE(refused(std::string(256, 'a')));
  EXPECT_FALSE(refused("***=" + std::string(255, 'a')));
  EXPECT_TRUE(refused("***=" + std::string(256, 'a')));
  EXPECT_FALSE(refused("^" + std::string(255, 'a') + "$"));
  EXPECT_FALSE(refused("ab{253}é"));
  EXPECT_FALSE(refused("é{255}"));
  EXPECT_TRUE(refused("é{256}"));
  // Outside a bound, braces count as characters.
  EXPECT_FALSE(refused("(a{200})\\{2}"));
  EXPECT_FALSE(refused("([{]a{200}){1}"));
}

TEST(AreToRe2, patterns_longer_than_the_limit_are_refused) {
  // Bracket expressions are long but count once toward the size.
  std::string brackets;
  while (brackets.size() + 11 <= max_regex_bytes)
    brackets += "[[:alpha:]]";
  brackets.resize(max_regex_bytes, 'a');
  EXPECT_FALSE(refused(brackets));
  EXPECT_EQ(re2(brackets + "a"), "unsupported: patterns longer than 1000 bytes are refused");
}
