#include "rt/protocol/json_text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include <boost/json/parse.hpp>

using rt::protocol::append_json_string;
using rt::protocol::json_array_elements;
using rt::protocol::json_object_members;
using rt::protocol::json_string;
using rt::protocol::json_unquote;

// -- writing strings -----------------------------------------------------------------

TEST(json_string, quotes_plain_text_unchanged) {
  EXPECT_EQ(json_string(""), R"("")");
  EXPECT_EQ(json_string("realtime:room1"), R"("realtime:room1")");
}

TEST(json_string, escapes_quote_backslash_and_named_controls) {
  EXPECT_EQ(json_string("\"\\\n\r\t\b\f"), R"("\"\\\n\r\t\b\f")");
}

TEST(json_string, escapes_other_control_chars_as_u00xx) {
  EXPECT_EQ(json_string(std::string_view{"\0\x01\x1f", 3}), R"("\u0000\u0001\u001f")");
}

TEST(json_string, passes_utf8_slash_and_del_through) {
  EXPECT_EQ(json_string("/\x7f\xc3\xa9\xf0\x9f\x98\x80"), "\"/\x7f\xc3\xa9\xf0\x9f\x98\x80\"");
}

TEST(json_string, output_parses_back_to_the_input) {
  std::string all;
  for (int c = 0; c < 0x80; ++c)
    all.push_back(static_cast<char>(c));
  auto v = boost::json::parse(json_string(all));
  ASSERT_TRUE(v.is_string());
  EXPECT_EQ(std::string_view(v.as_string()), all);
}

TEST(append_json_string, appends_after_existing_text) {
  std::string out = "[1,";
  append_json_string(out, "a\"b");
  EXPECT_EQ(out, R"([1,"a\"b")");
}

// -- reading string tokens ---------------------------------------------------------

TEST(json_unquote, returns_text_of_plain_string) {
  EXPECT_EQ(json_unquote(R"("abc")"), "abc");
  EXPECT_EQ(json_unquote(R"("")"), "");
}

TEST(json_unquote, decodes_escapes) {
  EXPECT_EQ(json_unquote(R"("a\"b\\c\n\u00e9\ud83d\ude00")"), "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(json_unquote, rejects_tokens_that_are_not_strings) {
  for (std::string_view token : {"", "\"", "abc", "123", "null", "true", "[\"a\"]", "{}"})
    EXPECT_EQ(json_unquote(token), std::nullopt) << token;
}

TEST(json_unquote, rejects_token_without_closing_quote) {
  EXPECT_EQ(json_unquote(R"("abc)"), std::nullopt);
}

// -- slicing arrays ------------------------------------------------------------------

TEST(json_array_elements, returns_exact_text_of_each_element) {
  auto items = json_array_elements(R"( [ 1 , "a,b" ,{"x":[1,2]}, null,1.0e3,"]\"[" ] )");
  ASSERT_TRUE(items);
  ASSERT_EQ(items->size(), 6u);
  EXPECT_EQ((*items)[0], "1");
  EXPECT_EQ((*items)[1], R"("a,b")");
  EXPECT_EQ((*items)[2], R"({"x":[1,2]})");
  EXPECT_EQ((*items)[3], "null");
  EXPECT_EQ((*items)[4], "1.0e3");
  EXPECT_EQ((*items)[5], R"("]\"[")");
}

TEST(json_array_elements, handles_empty_and_nested_arrays) {
  auto empty = json_array_elements("[ ]");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  auto nested = json_array_elements(R"([[],[[]],"\\"])");
  ASSERT_TRUE(nested);
  ASSERT_EQ(nested->size(), 3u);
  EXPECT_EQ((*nested)[1], "[[]]");
  EXPECT_EQ((*nested)[2], R"("\\")");
}

TEST(json_array_elements, returns_nullopt_for_non_arrays) {
  for (std::string_view text : {R"({"a":1})", R"("[1]")", "1", "null", ""})
    EXPECT_EQ(json_array_elements(text), std::nullopt) << text;
}

// -- slicing objects -----------------------------------------------------------------

TEST(json_object_members, returns_raw_keys_and_values_in_order) {
  auto members = json_object_members(R"({ "b" : 1.0 , "a\"x":{"}":"{"} ,"c":[ ] })");
  ASSERT_TRUE(members);
  ASSERT_EQ(members->size(), 3u);
  EXPECT_EQ((*members)[0].key_token, R"("b")");
  EXPECT_EQ((*members)[0].value, "1.0");
  EXPECT_EQ((*members)[1].key_token, R"("a\"x")");
  EXPECT_EQ((*members)[1].value, R"({"}":"{"})");
  EXPECT_EQ((*members)[2].key_token, R"("c")");
  EXPECT_EQ((*members)[2].value, "[ ]");
}

TEST(json_object_members, keeps_repeated_keys) {
  auto members = json_object_members(R"({"k":1,"k":2})");
  ASSERT_TRUE(members);
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].value, "1");
  EXPECT_EQ((*members)[1].value, "2");
}

TEST(json_object_members, handles_empty_object) {
  auto members = json_object_members(" {} ");
  ASSERT_TRUE(members);
  EXPECT_TRUE(members->empty());
}

TEST(json_object_members, returns_nullopt_for_non_objects) {
  for (std::string_view text : {"[1]", R"("{}")", "1", "null", ""})
    EXPECT_EQ(json_object_members(text), std::nullopt) << text;
}
