#include "rt/replication/like_pattern.hpp"

#include <gtest/gtest.h>

using namespace rt::replication::detail;

namespace {

// Whether `text` is LIKE `pattern` (ILIKE with ASCII folding when `fold`).
bool like(std::string_view pattern, std::string_view text, bool fold = false) {
  auto compiled = like_pattern::compile(pattern, fold ? case_fold::ascii() : case_fold::none());
  if (!compiled) {
    ADD_FAILURE() << compiled.error();
    return false;
  }
  return compiled->matches(text);
}

} // namespace

TEST(LikePattern, percent_backtracks_over_multibyte_characters) {
  EXPECT_TRUE(like("%é", "ééé"));
  EXPECT_TRUE(like("%é_", "aéé語"));
  EXPECT_FALSE(like("%é___", "aéé語"));
  EXPECT_TRUE(like("%語%語", "日語本語"));
  EXPECT_FALSE(like("%語%語_", "日語本語"));
}

TEST(LikePattern, undecodable_bytes_are_one_character_equal_only_to_themselves) {
  EXPECT_TRUE(like("a_", "a\xff"));
  EXPECT_TRUE(like("_", "\xc3"));         // a sequence cut short
  EXPECT_FALSE(like("%\xa9", "\xc3\xa9")); // a continuation byte inside é
  EXPECT_TRUE(like("\xff%", "\xff\xfe"));
  EXPECT_TRUE(like("__", "\xe6\x97"));    // two bytes of a three-byte sequence
}

TEST(LikePattern, ascii_folding_applies_to_both_sides) {
  EXPECT_TRUE(like("HeLLo%", "hello world", true));
  EXPECT_FALSE(like("HeLLo%", "hello world"));
  EXPECT_FALSE(like("É", "é", true));
  EXPECT_TRUE(like("\\%A", "%a", true));
}
