#include "rt/replication/filter.hpp"

#include <gtest/gtest.h>

using namespace rt::replication;

namespace {

std::vector<filter_condition> ok(std::string_view filter) {
  auto parsed = parse_filter(filter);
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error());
  return parsed ? *parsed : std::vector<filter_condition>{};
}

std::string error(std::string_view filter) {
  auto parsed = parse_filter(filter);
  EXPECT_FALSE(parsed);
  return parsed ? std::string{} : parsed.error();
}

} // namespace

TEST(filter, the_documented_examples) {
  using v = std::vector<filter_condition>;
  EXPECT_EQ(ok("subject=eq.hey"), (v{{"subject", filter_op::eq, "hey", false}}));
  EXPECT_EQ(ok("subject=in.(hidee,ho)"), (v{{"subject", filter_op::in, "{hidee,ho}", false}}));
  EXPECT_EQ(ok("subject=not.like.hey%"), (v{{"subject", filter_op::like, "hey%", true}}));
  EXPECT_EQ(ok("id=gt.0,id=lt.100"),
            (v{{"id", filter_op::gt, "0", false}, {"id", filter_op::lt, "100", false}}));
  EXPECT_TRUE(ok("").empty());
  EXPECT_TRUE(ok("   ").empty());
}

TEST(filter, every_operator_by_name) {
  for (auto name : {"eq", "neq", "lt", "lte", "gt", "gte", "like", "ilike", "is", "match", "imatch",
                    "isdistinct"}) {
    auto parsed = ok(std::string{"c="} + name + ".x");
    ASSERT_EQ(parsed.size(), 1u);
    EXPECT_EQ(to_string(parsed[0].op), name);
  }
}

TEST(filter, commas_inside_parentheses_or_quotes_do_not_split) {
  using v = std::vector<filter_condition>;
  EXPECT_EQ(ok("status=not.in.(a,b),qty=gt.10"),
            (v{{"status", filter_op::in, "{a,b}", true}, {"qty", filter_op::gt, "10", false}}));
  EXPECT_EQ(ok(R"(name=eq."Smith, John",age=gte.18)"),
            (v{{"name", filter_op::eq, "Smith, John", false}, {"age", filter_op::gte, "18", false}}));
  EXPECT_EQ(ok(R"(name=eq."say \"hi\", ok")"), (v{{"name", filter_op::eq, R"(say "hi", ok)", false}}));
}

TEST(filter, a_value_that_is_not_exactly_one_quoted_string_keeps_its_quotes) {
  EXPECT_EQ(ok(R"(a=eq."x"y)")[0].value, R"("x"y)");
  EXPECT_EQ(ok(R"(a=eq."open)")[0].value, R"("open)");
  EXPECT_EQ(ok(R"(a=eq.x"y")")[0].value, R"(x"y")");
}

TEST(filter, errors_are_worded_as_supabase_words_them) {
  EXPECT_EQ(error("subject=foo.hey"), R"(Error parsing `filter` params: ["foo", "hey"])");
  EXPECT_EQ(error("undefined"), R"(Error parsing `filter` params: ["undefined"])");
  EXPECT_EQ(error("id=eq1"), R"(Error parsing `filter` params: ["eq1"])");
  EXPECT_EQ(error("id=eq.1,,id=lt.5"),
            "Error parsing `filter` params: filter must not contain empty segments (check for extra commas)");
  EXPECT_EQ(error("id=in.1,2"), "Error parsing `filter` params: `in` filter value must be wrapped by parentheses");
  EXPECT_EQ(error(R"(a=x"q.1)"), R"(Error parsing `filter` params: ["x\"q", "1"])");
}
