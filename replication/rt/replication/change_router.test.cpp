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

// `column op operand` on a column of type OID `type`; nullopt (with the
// compile error reported) when it does not compile, for the caller to
// ASSERT on.
std::optional<bound_filter> filter(std::string column, filter_op op, std::string operand,
                                   std::uint32_t type) {
  auto compiled = compile_filter({column, op, operand, false}, {type, "C", {}}, {operand});
  if (!compiled) {
    ADD_FAILURE() << compiled.error();
    return std::nullopt;
  }
  return bound_filter{std::move(column), std::move(*compiled)};
}

change_route route(std::uint64_t subscriber, std::int64_t id, std::uint8_t events = 7,
                   std::vector<bound_filter> filters = {}, std::uint32_t relid = todos) {
  return {subscriber, id, relid, events, std::move(filters), nullptr};
}

std::vector<route_match> match(const change_router& r, const row_change& c) {
  auto t = decode_row(c);
  if (!t) {
    ADD_FAILURE() << "the change does not decode";
    return {};
  }
  return r.match(c, *t);
}

column_selection names(std::vector<std::string> columns) {
  return std::make_shared<const std::vector<std::string>>(std::move(columns));
}

change_route route_seeing(std::uint64_t subscriber, std::int64_t id, column_selection columns) {
  return {subscriber, id, todos, 7, {}, std::move(columns)};
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
  auto qty_above_3 = filter("qty", filter_op::gt, "3", 23);
  auto qty_above_100 = filter("qty", filter_op::gt, "100", 23);
  ASSERT_TRUE(qty_above_3 && qty_above_100);
  change_router r;
  r.add(route(1, 30));
  r.add(route(1, 10, 7, {*qty_above_3}));
  r.add(route(1, 20, 7, {*qty_above_100}));
  r.add(route(2, 30));
  auto m = match(r, insert_row("1", "a", "5"));
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].ids, (std::vector<std::int64_t>{10, 30}));
  EXPECT_EQ(m[1].subscriber, 2u);
}

TEST(ChangeRouter, filters_see_the_new_row_and_the_old_key_of_a_delete) {
  auto title_is_milk = filter("title", filter_op::eq, "milk", 25);
  auto id_is_7 = filter("id", filter_op::eq, "7", 20);
  ASSERT_TRUE(title_is_milk && id_is_7);
  change_router r;
  r.add(route(1, 10, 7, {*title_is_milk}));
  r.add(route(2, 20, 7, {*id_is_7}));
  EXPECT_EQ(match(r, insert_row("7", "milk", "1")).size(), 2u);
  EXPECT_EQ(match(r, insert_row("8", "bread", "1")).size(), 0u);
  // A delete under the default identity carries only the key: a filter on
  // title cannot match, one on id can.
  auto d = match(r, delete_row("7"));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].subscriber, 2u);
}

TEST(ChangeRouter, a_filter_on_an_unknown_column_never_matches) {
  auto gone_is_1 = filter("gone", filter_op::eq, "1", 23);
  ASSERT_TRUE(gone_is_1);
  change_router r;
  r.add(route(1, 10, 7, {*gone_is_1}));
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

TEST(ChangeRouter, a_primary_key_list_shorter_than_the_columns_is_not_read_past_its_end) {
  relation_message r;
  r.relid = todos;
  r.columns = {{true, "id", 20, -1}, {false, "title", 25, -1}, {false, "qty", 23, -1}};
  relation_snapshot no_flags{r, type_names{}, {}};
  EXPECT_EQ(visible_mask(no_flags, names({"qty"})), (std::vector<bool>{false, false, true}));
  relation_snapshot one_flag{r, type_names{}, {true}};
  EXPECT_EQ(visible_mask(one_flag, names({"title"})), (std::vector<bool>{true, true, false}));
}

TEST(ChangeRouter, bindings_of_one_subscriber_with_equal_column_lists_make_one_message) {
  change_router r;
  r.add(route_seeing(1, 10, names({"title", "qty"})));
  r.add(route_seeing(1, 20, names({"qty", "title"})));
  auto m = match(r, insert_row("1", "a", "5"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].ids, (std::vector<std::int64_t>{10, 20}));
}

TEST(ChangeRouter, different_column_lists_of_one_subscriber_stay_apart) {
  change_router r;
  r.add(route_seeing(1, 10, names({"title"})));
  r.add(route_seeing(1, 20, names({"qty"})));
  r.add(route_seeing(1, 30, nullptr));
  auto m = match(r, insert_row("1", "a", "5"));
  EXPECT_EQ(m.size(), 3u);
}

TEST(ChangeRouter, equal_column_lists_are_one_pointer_across_subscribers) {
  // Callers cache the narrowed payload by this pointer.
  change_router r;
  r.add(route_seeing(1, 10, names({"qty"})));
  r.add(route_seeing(2, 20, names({"qty"})));
  auto m = match(r, insert_row("1", "a", "5"));
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].columns.get(), m[1].columns.get());
}

TEST(ChangeRouter, a_column_list_still_in_use_stays_shared_after_a_subscriber_leaves) {
  change_router r;
  r.add(route_seeing(1, 10, names({"qty"})));
  r.add(route_seeing(2, 20, names({"qty"})));
  r.remove_subscriber(1);
  r.add(route_seeing(3, 30, names({"qty"})));
  auto m = match(r, insert_row("1", "a", "5"));
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].columns.get(), m[1].columns.get());
}

TEST(ChangeRouter, row_security_asks_a_check_for_inserts_and_a_key_only_old_record_for_deletes) {
  change_router r;
  auto checked = route(1, 10);
  checked.row_security = checked.check_visibility = true;
  auto bypassing = route(2, 20);
  bypassing.row_security = true;
  r.add(checked);
  r.add(bypassing);
  r.add(route(3, 30));
  auto m = match(r, insert_row("1", "a", "5"));
  ASSERT_EQ(m.size(), 3u);
  EXPECT_TRUE(m[0].check_visibility);
  EXPECT_FALSE(m[1].check_visibility);
  EXPECT_FALSE(m[2].check_visibility);
  EXPECT_FALSE(m[0].old_key_only);
  auto d = match(r, delete_row("1"));
  ASSERT_EQ(d.size(), 3u);
  EXPECT_FALSE(d[0].check_visibility); // a deleted row cannot be checked
  EXPECT_TRUE(d[0].old_key_only);
  EXPECT_TRUE(d[1].old_key_only);
  EXPECT_FALSE(d[2].old_key_only);
}

TEST(ChangeRouter, the_key_of_a_change_is_its_primary_key_by_name) {
  auto c = insert_row("7", "a", "5");
  auto t = decode_row(c);
  ASSERT_TRUE(t);
  auto key = key_of(c, *t);
  EXPECT_EQ(key.columns, std::vector<std::string>{"id"});
  EXPECT_EQ(key.values, std::vector<std::optional<std::string>>{"7"});
}
