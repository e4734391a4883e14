#include "rt/replication/are_to_ere.hpp"

#include <gtest/gtest.h>

using rt::replication::detail::are_to_ere;

namespace {

// The ERE for `pattern`, or "refused: <why>".
std::string ere(std::string_view pattern) {
  auto out = are_to_ere(pattern);
  return out ? *out : "refused: " + out.error();
}

bool refused(std::string_view pattern) { return !are_to_ere(pattern).has_value(); }

} // namespace

TEST(AreToEre, plain_ere_passes_unchanged) {
  for (std::string_view p : {"^(foo|bar)+[0-9]{2}$", "a.b*c?", "[]x]", "[^]x]", "[[:alpha:]_]+",
                             "a\\.b\\(", "x}", "a{2,3}", "a{2,}", "(a|)", ")", "[a"})
    EXPECT_EQ(ere(p), p);
}

TEST(AreToEre, a_question_mark_after_a_quantifier_is_dropped) {
  EXPECT_EQ(ere("x+?"), "x+");
  EXPECT_EQ(ere("x*?y"), "x*y");
  EXPECT_EQ(ere("x??"), "x?");
  EXPECT_EQ(ere("x{2}?"), "x{2}");
  EXPECT_EQ(ere("x{2,}?"), "x{2,}");
  EXPECT_EQ(ere("(ab){2,5}?c"), "(ab){2,5}c");
  EXPECT_EQ(ere("x+?y+?"), "x+y+");
  EXPECT_EQ(ere("(x+?)?"), "(x+)?");
}

TEST(AreToEre, a_quantifier_after_a_quantifier_is_refused) {
  for (std::string_view p : {"a**", "a+*", "a*+", "a?*", "a{2}{3}", "a{2}*", "a*{2}", "a{2,}+",
                             "(ab)+*", "a*?+", "a*?*", "a{2}?{3}", "a???", "a+??", "x|a**"})
    EXPECT_EQ(ere(p), "refused: a quantifier right after another, as in a** or a{2}{3}, is "
                      "invalid (quantifier operand invalid)")
      << p;
  // A group, an escaped or bracketed quantifier character and a literal
  // brace are operands.
  for (std::string_view p : {"(a*)*", "(a+)+", "a\\**", "[*]*", "a*{x", "a*\\{2}"})
    EXPECT_FALSE(refused(p)) << p;
}

TEST(AreToEre, a_question_mark_after_anything_else_stays) {
  EXPECT_EQ(ere("x?"), "x?");
  EXPECT_EQ(ere("x}?"), "x}?");
  EXPECT_EQ(ere("\\+?"), "\\+?");
  EXPECT_EQ(ere("[+]?"), "[+]?");
  EXPECT_EQ(ere("[*?]"), "[*?]");
  EXPECT_EQ(ere("(x+)?"), "(x+)?");
  EXPECT_EQ(ere("x+|?"), "x+|?");
}

TEST(AreToEre, a_brace_without_a_digit_after_it_is_a_literal) {
  EXPECT_EQ(ere("a{x"), "a\\{x");
  EXPECT_EQ(ere("a{,3}"), "a\\{,3}");
  EXPECT_EQ(ere("{"), "\\{");
  EXPECT_EQ(ere("[{]"), "[{]");
}

TEST(AreToEre, are_only_syntax_is_refused) {
  EXPECT_EQ(ere("***=a"), "refused: a *** director is PostgreSQL ARE syntax that POSIX ERE lacks");
  EXPECT_EQ(ere("(?i)a"), "refused: a (? group or option is PostgreSQL ARE syntax that POSIX ERE lacks");
  EXPECT_EQ(ere("[a\\]]"), "refused: a backslash inside a bracket expression is PostgreSQL ARE "
                           "syntax that POSIX ERE lacks");
  for (std::string_view p : {"\\d", "\\W", "\\0", "\\<", "\\>", "\\`", "\\'", "\\y", "\\m"})
    EXPECT_TRUE(refused(p)) << p;
}

TEST(AreToEre, back_references_are_refused) {
  for (std::string_view p : {"(a)\\1", "(a)(b)\\2", "((a))\\9", "(a)\\12"})
    EXPECT_EQ(ere(p), "refused: back-references (\\1 to \\9) are refused: matching them can take "
                      "exponential time")
      << p;
}

TEST(AreToEre, the_size_with_repetitions_expanded_is_limited) {
  EXPECT_EQ(ere("a{256}"), "refused: patterns larger than 255 once repetitions are expanded (each "
                           "character, escape, bracket or dot counted once per copy: a{3} is 3, "
                           "(ab){3}c is 7) are refused");
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
  EXPECT_TRUE(refused("a{255}b{255}"));
  std::string many;
  while (many.size() + 6 <= 1000)
    many += "a{255}";
  EXPECT_TRUE(refused(many));
  // Unrepeated, every character counts once, a UTF-8 character is one and
  // anchors count nothing.
  EXPECT_FALSE(refused(std::string(255, 'a')));
  EXPECT_TRUE(refused(std::string(256, 'a')));
  EXPECT_FALSE(refused("^" + std::string(255, 'a') + "$"));
  EXPECT_FALSE(refused("ab{253}é"));
  EXPECT_FALSE(refused("é{255}"));
  EXPECT_TRUE(refused("é{256}"));
  // Outside a bound, braces count as characters.
  EXPECT_FALSE(refused("(a{200})\\{2}"));
  EXPECT_FALSE(refused("([{]a{200}){1}"));
}

TEST(AreToEre, patterns_longer_than_the_limit_are_refused) {
  using rt::replication::detail::max_regex_bytes;
  // Bracket expressions are long but count once toward the size.
  std::string brackets;
  while (brackets.size() + 11 <= max_regex_bytes)
    brackets += "[[:alpha:]]";
  brackets.resize(max_regex_bytes, 'a');
  EXPECT_FALSE(refused(brackets));
  EXPECT_EQ(ere(brackets + "a"), "refused: patterns longer than 1000 bytes are refused");
}
