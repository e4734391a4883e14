#include "rt/db/elixir_inspect.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rt::db {
namespace {

using replication::filter_condition;
using replication::filter_op;

TEST(CatalogInspect, ShortListsStayOnOneLine) {
  EXPECT_EQ(inspect_strings({}), "[]");
  EXPECT_EQ(inspect_strings({"id", "title"}), "[\"id\", \"title\"]");
  EXPECT_EQ(inspect_filters({}), "[]");
  EXPECT_EQ(inspect_filters({{"status", filter_op::in, "{a,b}", true}}),
            "[{\"status\", \"in\", \"{a,b}\", true}]");
}

TEST(CatalogInspect, EscapesStrings) {
  EXPECT_EQ(inspect_strings({"a\"b\\c #{x} \n\t\xE2\x80\x8B\xC3\xA9"}),
            "[\"a\\\"b\\\\c \\#{x} \\n\\t\\u200B\xC3\xA9\"]");
  EXPECT_EQ(inspect_filters({{"x", filter_op::eq, std::string{"\x01\xFF", 2}, false}}),
            "[{\"x\", \"eq\", <<1, 255>>, false}]");
  EXPECT_EQ(inspect_strings({std::string{"a\0b", 3}}), "[<<97, 0, 98>>]");
}

TEST(CatalogInspect, BreaksLongListsLikeElixir) {
  std::vector<filter_condition> filters{{"id", filter_op::eq, "1", false},
                                        {"title", filter_op::like, "hello%", true},
                                        {"status", filter_op::in, "{a,b,c}", false}};
  EXPECT_EQ(inspect_filters(filters), "[\n"
                                      "  {\"id\", \"eq\", \"1\", false},\n"
                                      "  {\"title\", \"like\", \"hello%\", true},\n"
                                      "  {\"status\", \"in\", \"{a,b,c}\", false}\n"
                                      "]");
  std::vector<std::string> columns;
  for (int i = 1; i <= 12; ++i)
    columns.push_back(std::string{"column_0"} + (i < 10 ? "0" : "") + std::to_string(i));
  EXPECT_EQ(inspect_strings(columns),
            "[\"column_001\", \"column_002\", \"column_003\", \"column_004\", \"column_005\",\n"
            " \"column_006\", \"column_007\", \"column_008\", \"column_009\", \"column_010\",\n"
            " \"column_011\", \"column_012\"]");
}

TEST(CatalogInspect, BreaksLongTuples) {
  std::string value(100, 'x');
  EXPECT_EQ(inspect_filters({{"title", filter_op::eq, value, false}}), "[\n"
                                                                       "  {\"title\", \"eq\",\n"
                                                                       "   \"" + value + "\",\n"
                                                                       "   false}\n"
                                                                       "]");
}

TEST(CatalogInspect, LimitsItems) {
  // Each tuple uses 5 of inspect's limit of 100: 20 are shown.
  std::vector<filter_condition> filters(21, filter_condition{"a", filter_op::eq, "1", false});
  std::string expected = "[\n";
  for (int i = 0; i < 20; ++i)
    expected += "  {\"a\", \"eq\", \"1\", false},\n";
  expected += "  ...\n]";
  EXPECT_EQ(inspect_filters(filters), expected);
  filters.resize(20);
  EXPECT_EQ(inspect_filters(filters).find("..."), std::string::npos);
}

} // namespace
} // namespace rt::db
