#include "rt/replication/re2_pattern.hpp"

#include <gtest/gtest.h>

using rt::replication::detail::re2_pattern;

namespace {

std::shared_ptr<const re2_pattern> compiled(std::string_view pattern, bool fold_case = false) {
  auto re = re2_pattern::compile(pattern, fold_case);
  EXPECT_TRUE(re) << pattern << ": " << (re ? "" : re.error().text);
  return re ? *re : nullptr;
}

bool found(std::string_view pattern, std::string_view text, bool fold_case = false) {
  auto re = compiled(pattern, fold_case);
  return re && re->search(text);
}

} // namespace

TEST(Re2Pattern, searches_anywhere_in_the_text) {
  EXPECT_TRUE(found("ell", "hello"));
  EXPECT_FALSE(found("^ell", "hello"));
  EXPECT_TRUE(found("lo$", "hello"));
  EXPECT_TRUE(found("", ""));
  EXPECT_TRUE(found("^$", ""));
  // $ is the end of the text only, not before a final newline.
  EXPECT_FALSE(found("o$", "hello\n"));
}

TEST(Re2Pattern, a_dot_and_a_negated_class_match_a_newline) {
  EXPECT_TRUE(found("a.b", "a\nb"));
  EXPECT_TRUE(found("a[^x]b", "a\nb"));
}

TEST(Re2Pattern, characters_are_utf8_code_points) {
  EXPECT_TRUE(found("^.$", "é"));
  EXPECT_TRUE(found("^h.llo$", "héllo"));
  EXPECT_FALSE(found("^..$", "é"));
}

TEST(Re2Pattern, case_folding_is_unicode_simple_folding) {
  EXPECT_FALSE(found("abc", "ABC"));
  EXPECT_TRUE(found("abc", "ABC", true));
  EXPECT_TRUE(found("école", "ÉCOLE", true));
  EXPECT_TRUE(found("straße", "STRAßE", true));
  EXPECT_TRUE(found("σ", "Σ", true));
  EXPECT_TRUE(found("k", "\u212A", true)); // KELVIN SIGN folds to k
  EXPECT_FALSE(found("ß", "ss", true));   // no full (multi-character) folding
}

TEST(Re2Pattern, the_text_is_searched_where_it_lies) {
  auto ends_in_c = compiled("c$");
  ASSERT_TRUE(ends_in_c);
  std::string_view buffer = "abcX";
  EXPECT_TRUE(ends_in_c->search(buffer.substr(0, 3)));
  EXPECT_FALSE(ends_in_c->search(buffer));
  EXPECT_FALSE(ends_in_c->search(std::string_view{}));
}

TEST(Re2Pattern, errors) {
  auto bad = re2_pattern::compile("a(", false);
  ASSERT_FALSE(bad);
  EXPECT_FALSE(bad.error().too_large);
  EXPECT_NE(bad.error().text.find("missing )"), std::string::npos) << bad.error().text;
  // A program larger than the memory budget: 200 copies of a class of all
  // letters, each a large automaton over UTF-8 bytes.
  auto big = re2_pattern::compile("\\pL{200}", false);
  ASSERT_FALSE(big);
  EXPECT_TRUE(big.error().too_large) << big.error().text;
  EXPECT_TRUE(re2_pattern::compile("\\pL{40}", false));
}
