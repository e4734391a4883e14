#include "rt/replication/are_escape.hpp"

#include <gtest/gtest.h>

using namespace rt::replication::detail;

namespace {

// The escape at the start of `pattern`, which must be valid.
are_escape escape(std::string_view pattern, std::size_t groups = 0) {
  auto e = read_escape(pattern, 0, groups);
  EXPECT_TRUE(e) << pattern;
  return e ? *e : are_escape{};
}

bool invalid(std::string_view pattern, std::size_t groups = 0) {
  auto e = read_escape(pattern, 0, groups);
  return !e && e.error().what == are_error::kind::invalid &&
         e.error().reason == "invalid escape \\ sequence";
}

void expect_character(std::string_view pattern, char32_t value, std::size_t length,
                      std::size_t groups = 0) {
  auto e = escape(pattern, groups);
  EXPECT_EQ(e.what, are_escape::kind::character) << pattern;
  EXPECT_EQ(e.value, value) << pattern;
  EXPECT_EQ(e.length, length) << pattern;
}

} // namespace

TEST(AreEscape, characters) {
  expect_character("\\.", '.', 2);
  expect_character("\\é", U'é', 3);
  expect_character("\\a", 7, 2);
  expect_character("\\b", 8, 2);
  expect_character("\\B", '\\', 2);
  expect_character("\\e", 27, 2);
  expect_character("\\v", 11, 2);
  expect_character("\\cj", 10, 3);
  expect_character("\\c\\", 28, 3);
  expect_character("\\u00e9z", U'é', 6);
  expect_character("\\U0001f600", U'😀', 10);
  expect_character("\\x7Fz", 0x7F, 4);
  expect_character("\\x0000000041", 0x41, 12);
  expect_character("\\x110000", 0x110000, 8);
}

TEST(AreEscape, octal_escapes_take_up_to_three_digits) {
  expect_character("\\0", 0, 2);
  expect_character("\\08", 0, 2);
  expect_character("\\012", 10, 4);
  expect_character("\\0123", 10, 4);
  expect_character("\\0400", 040, 4); // 0400 is past 0377: one digit fewer
  expect_character("\\377", 0377, 4);
  expect_character("\\400", 040, 3);
}

TEST(AreEscape, a_nonzero_digit_is_a_back_reference_when_it_can_be) {
  auto one = escape("\\1");
  EXPECT_EQ(one.what, are_escape::kind::back_reference);
  EXPECT_EQ(one.value, 1u);
  auto nine = escape("\\9x");
  EXPECT_EQ(nine.what, are_escape::kind::back_reference);
  EXPECT_EQ(nine.length, 2u);
  auto twelve = escape("\\12", 12);
  EXPECT_EQ(twelve.what, are_escape::kind::back_reference);
  EXPECT_EQ(twelve.value, 12u);
  EXPECT_EQ(twelve.length, 3u);
  expect_character("\\12", 10, 3, 11);
  expect_character("\\129", 10, 3, 11);
  EXPECT_TRUE(invalid("\\89"));
}

TEST(AreEscape, shorthands_and_constraints) {
  for (char c : std::string_view{"dDsSwW"}) {
    auto e = escape(std::string{'\\', c});
    EXPECT_EQ(e.what, are_escape::kind::class_shorthand) << c;
    EXPECT_EQ(e.letter, c);
  }
  for (char c : std::string_view{"AZyYmM"}) {
    auto e = escape(std::string{'\\', c});
    EXPECT_EQ(e.what, are_escape::kind::constraint) << c;
    EXPECT_EQ(e.letter, c);
  }
}

TEST(AreEscape, invalid_escapes) {
  for (std::string_view p : {"\\", "\\g", "\\z", "\\Q", "\\E", "\\u12", "\\u", "\\U1234567", "\\x",
                             "\\xg", "\\x80000000", "\\c"})
    EXPECT_TRUE(invalid(p)) << p;
  auto bad = read_escape("\\\xff", 0, 0);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().reason, "the pattern is not valid UTF-8");
}
