#include "rt/db/text_array.hpp"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace rt::db {
namespace {

using strings = std::vector<std::string>;

TEST(CatalogTextArray, Elements) {
  EXPECT_EQ(parse_text_array("{}"), strings{});
  EXPECT_EQ(parse_text_array("{a,b}"), (strings{"a", "b"}));
  EXPECT_EQ(parse_text_array(R"({"b c","d\"e","f\\g",NULL,"NULL"})"),
            (strings{"b c", "d\"e", "f\\g", "NULL"}));
}

// Malformed text: what can be read, and never a byte past its end (here
// the 'Z' that follows the view in memory).
TEST(CatalogTextArray, StopsAtTheEnd) {
  const char buffer[] = "{\"a\\Z";
  EXPECT_EQ(parse_text_array(std::string_view{buffer, 4}), (strings{"a\\"}));
  EXPECT_EQ(parse_text_array(std::string_view{buffer, 3}), (strings{"a"}));
  EXPECT_EQ(parse_text_array(""), strings{});
  EXPECT_EQ(parse_text_array("{"), strings{});
  EXPECT_EQ(parse_text_array("{\""), strings{});
}

TEST(CatalogTextArray, LiteralRoundTrips) {
  EXPECT_EQ(array_literal({}), "{}");
  EXPECT_EQ(array_literal({"a", std::nullopt, "NULL", "b\"c\\d", "{x,y}"}),
            R"({"a",NULL,"NULL","b\"c\\d","{x,y}"})");
  EXPECT_EQ(parse_text_array(array_literal({"a", "b\"c\\d", "{x,y}", ""})),
            (strings{"a", "b\"c\\d", "{x,y}", ""}));
}

} // namespace
} // namespace rt::db
