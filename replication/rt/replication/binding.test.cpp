#include "rt/replication/binding.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

using namespace rt::replication;

namespace {

tl::expected<binding, std::string> parse(std::string_view json) {
  return parse_binding(boost::json::parse(json));
}

} // namespace

TEST(Binding, reads_event_schema_table_and_filter) {
  auto b = parse(R"({"event":"insert","schema":"public","table":"todos","filter":"id=eq.1"})");
  ASSERT_TRUE(b.has_value()) << b.error();
  EXPECT_EQ(b->event, "INSERT");
  EXPECT_EQ(b->schema, "public");
  EXPECT_EQ(b->table, "todos");
  ASSERT_EQ(b->filters.size(), 1u);
  EXPECT_EQ(b->filters[0].column, "id");
  EXPECT_EQ(b->event_bits(), 1);
}

TEST(Binding, unknown_events_mean_every_event) {
  EXPECT_EQ(parse(R"({"event":"TRUNCATE","schema":"public"})")->event, "*");
  EXPECT_EQ(parse(R"({"schema":"public"})")->event_bits(), 7);
}

TEST(Binding, defaults_follow_supabase) {
  auto only_table = parse(R"({"table":"todos"})");
  EXPECT_EQ(only_table->schema, "public");
  EXPECT_EQ(only_table->table, "todos");
  auto only_schema = parse(R"({"schema":"app"})");
  EXPECT_EQ(only_schema->table, "*");
}

TEST(Binding, missing_params_are_reported_with_the_entry) {
  auto b = parse(R"({"event":"*","filter":"id=eq.1"})");
  ASSERT_FALSE(b.has_value());
  EXPECT_EQ(b.error(),
            "No subscription params provided. Please provide at least a `schema` or `table` to "
            R"(subscribe to: %{"event" => "*", "filter" => "id=eq.1"})");
  EXPECT_EQ(parse(R"({"user_token":"x"})").error(),
            "No subscription params provided. Please provide at least a `schema` or `table` to "
            "subscribe to: <redacted>");
}

TEST(Binding, a_non_string_filter_is_refused) {
  EXPECT_FALSE(parse(R"({"schema":"public","table":"t","filter":null})").has_value());
}

TEST(Binding, filter_errors_are_supabase_texts) {
  EXPECT_EQ(parse(R"({"schema":"public","table":"t","filter":"undefined"})").error(),
            R"(Error parsing `filter` params: ["undefined"])");
}

TEST(Binding, select_is_a_list_and_not_for_wildcards) {
  auto b = parse(R"({"schema":"public","table":"t","select":["id","title",3]})");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->select, (std::vector<std::string>{"id", "title"}));
  EXPECT_EQ(parse(R"({"schema":"public","table":"t","select":"id"})").error().substr(0, 30),
            "Error parsing `select` params:");
  EXPECT_EQ(parse(R"({"schema":"*","table":"t","select":["id"]})").error(),
            "Column selection is not supported for wildcard subscriptions. Provide an explicit "
            "schema and table name.");
}

TEST(Binding, identical_entries_share_an_id_in_range) {
  auto a = boost::json::parse(R"({"event":"*","schema":"public","table":"t"})");
  auto b = boost::json::parse(R"({"event":"*","schema":"public","table":"u"})");
  EXPECT_EQ(binding_id(a), binding_id(boost::json::parse(R"({"event":"*","schema":"public","table":"t"})")));
  EXPECT_NE(binding_id(a), binding_id(b));
  EXPECT_GE(binding_id(a), 0);
  EXPECT_LT(binding_id(a), 1 << 27);
}

TEST(Binding, inspect_prints_like_elixir) {
  EXPECT_EQ(elixir_inspect(boost::json::parse(R"({"b":[1,null,true],"a":"x\"y"})")),
            R"(%{"a" => "x\"y", "b" => [1, nil, true]})");
}
