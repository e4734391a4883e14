#include "rt/replication/change_router.hpp"

#include <gtest/gtest.h>

#include "rt/replication/test_bytes.hpp"

using namespace rt::replication;
using rt::replication::test::bytes_builder;

namespace {

constexpr std::uint32_t todos = 16400;
constexpr std::uint32_t notes = 16500;

std::shared_ptr<const relation_snapshot> todos_relation() {
  relation_message r;
  r.relid = todos;
  r.schema = "public";
  r.table = "todos";
  r.columns = {{true, "id", 20, -1}, {false, "title", 25, -1}, {false, "qty", 23, -1}};
  return std::make_shared<const relation_snapshot>(r, type_names{},
                                                   std::vector<bool>{true, false, false});
}

row_change insert_row(std::string_view id, std::string_view title, std::string_view qty) {
  row_change c;
  c.relation = todos_relation();
  c.kind = change_kind::insert;
  c.message = bytes_builder{}.ch('I').i32(todos).ch('N').i16(3).text(id).text(title).text(qty).str();
  return c;
}

row_change delete_row(std::string_view id) {
  row_change c;
  c.relation = todos_relation();
  c.kind = change_kind::remove;
  c.message = bytes_builder{}.ch('D').i32(todos).ch('K').i16(3).text(id).ch('n').ch('n').str();
  return c;
}

bound_filter filter(std::string column, filter_op op, std::string operand, std::uint32_t type) {
  auto compiled = compile_filter({column, op, operand, false}, {type, "C", {}}, {operand});
  EXPECT_TRUE(compiled.has_value());
  return {std::move(column), std::move(*compiled)};
}

change_route route(std::uint64_t subscriber, std::int64_t id, std::uint8_t events = 7,
                   std::vector<bound_filter> filters = {}, std::uint32_t relid = todos) {
  return {subscriber, id, relid, events, std::move(filters), nullptr};
}

std::vector<route_match> match(const change_router& r, const row_change& c) {
  auto t = decode_row(c);
  EXPECT_TRUE(t.has_value());
  return r.match(c, *t);
}

} // namespace

TEST(ChangeRouter, routes_by_table_and_event) {
  change_router r;
  r.add(route(1, 10, static_cast<std::uint8_t>(change_kind::insert)));
  r.add(route(2, 20, static_cast<std::uint8_t>(change_kind::remove)));
  r.add(route(3, 30, 7, {}, notes));
  auto m = match(r, insert_row("1", "a", "5"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].subscriber, 1u);
  EXPECT_EQ(m[0].ids, (std::vector<std::int64_t>{10}));
  auto d = match(r, delete_row("1"));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].subscriber, 2u);
  EXPECT_TRUE(r.watches(notes));
  EXPECT_FALSE(r.watches(999));
}

TEST(ChangeRouter, one_message_per_subscriber_lists_every_matching_binding) {
  change_router r;
  r.add(route(1, 30));
  r.add(route(1, 10, 7, {filter("qty", filter_op::gt, "3", 23)}));
  r.add(route(1, 20, 7, {filter("qty", filter_op::gt, "100", 23)}));
  r.add(route(2, 30));
  auto m = match(r, insert_row("1", "a", "5"));
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].ids, (std::vector<std::int64_t>{10, 30}));
  EXPECT_EQ(m[1].subscriber, 2u);
}

TEST(ChangeRouter, filters_see_the_new_row_and_the_old_key_of_a_delete) {
  change_router r;
  r.add(route(1, 10, 7, {filter("title", filter_op::eq, "milk", 25)}));
  r.add(route(2, 20, 7, {filter("id", filter_op::eq, "7", 20)}));
  EXPECT_EQ(match(r, insert_row("7", "milk", "1")).size(), 2u);
  EXPECT_EQ(match(r, insert_row("8", "bread", "1")).size(), 0u);
  // A delete under the default identity carries only the key: a filter on
  // title cannot match, one on id can.
  auto d = match(r, delete_row("7"));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].subscriber, 2u);
}

TEST(ChangeRouter, a_filter_on_an_unknown_column_never_matches) {
  change_router r;
  r.add(route(1, 10, 7, {filter("gone", filter_op::eq, "1", 23)}));
  EXPECT_TRUE(match(r, insert_row("1", "a", "1")).empty());
}

TEST(ChangeRouter, removing_a_subscriber_removes_all_its_routes) {
  change_router r;
  r.add(route(5, 1));
  r.add(route(5, 2, 7, {}, notes));
  r.add(route(6, 3));
  EXPECT_EQ(r.route_count(), 3u);
  r.remove_subscriber(5);
  EXPECT_EQ(r.route_count(), 1u);
  EXPECT_FALSE(r.watches(notes));
  auto m = match(r, insert_row("1", "a", "1"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].subscriber, 6u);
}

TEST(ChangeRouter, subscribers_added_out_of_order_still_get_one_message_each) {
  change_router r;
  r.add(route(9, 1));
  r.add(route(3, 2));
  r.add(route(9, 4));
  auto m = match(r, insert_row("1", "a", "1"));
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].subscriber, 3u);
  EXPECT_EQ(m[1].ids, (std::vector<std::int64_t>{1, 4}));
}

TEST(ChangeRouter, column_selections_keep_the_primary_key) {
  auto rel = todos_relation();
  EXPECT_TRUE(visible_mask(*rel, nullptr).empty());
  auto only_qty = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"qty"});
  EXPECT_EQ(visible_mask(*rel, only_qty), (std::vector<bool>{true, false, true}));
}
