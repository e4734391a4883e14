// The reference model itself, against phoenix.js's presence_test.js cases.

#include "rt/presence/js_presence_model.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace rt::presence::test_support {
namespace {

boost::json::object object_of(std::string_view json) {
  return boost::json::parse(json).as_object();
}

const char* const three_users = R"({"u1":{"metas":[{"id":1,"phx_ref":"1"}]},)"
                                R"("u2":{"metas":[{"id":2,"phx_ref":"2"}]},)"
                                R"("u3":{"metas":[{"id":3,"phx_ref":"3"}]}})";

TEST(js_presence_model, sync_state_from_empty_takes_the_new_state) {
  auto next = object_of(R"({"u1":{"metas":[{"id":1,"phx_ref":"1"}]}})");
  EXPECT_EQ(js_sync_state({}, next), next);
}

TEST(js_presence_model, sync_state_drops_keys_absent_from_the_new_state) {
  auto state = object_of(R"({"u4":{"metas":[{"id":4,"phx_ref":"4"}]}})");
  EXPECT_EQ(js_sync_state(state, object_of(three_users)), object_of(three_users));
}

TEST(js_presence_model, sync_state_adds_only_new_metas_and_drops_missing_ones) {
  auto state = object_of(R"({"u3":{"metas":[{"id":3,"phx_ref":"3"},{"id":3,"phx_ref":"x"}]}})");
  auto next = object_of(R"({"u3":{"metas":[{"id":3,"phx_ref":"3"},{"id":3,"phx_ref":"3.new"}]}})");
  EXPECT_EQ(js_sync_state(state, next), next);
}

TEST(js_presence_model, sync_diff_into_empty_state) {
  auto joins = object_of(R"({"u1":{"metas":[{"id":1,"phx_ref":"1"}]}})");
  auto diff = boost::json::object{{"joins", joins}, {"leaves", boost::json::object{}}};
  EXPECT_EQ(js_sync_diff({}, diff), joins);
}

TEST(js_presence_model, sync_diff_removes_emptied_keys_and_appends_joined_metas) {
  auto diff = object_of(R"({"joins":{"u1":{"metas":[{"id":1,"phx_ref":"1.2"}]}},)"
                        R"("leaves":{"u2":{"metas":[{"id":2,"phx_ref":"2"}]}}})");
  EXPECT_EQ(js_sync_diff(object_of(three_users), diff),
            object_of(R"({"u1":{"metas":[{"id":1,"phx_ref":"1"},{"id":1,"phx_ref":"1.2"}]},)"
                      R"("u3":{"metas":[{"id":3,"phx_ref":"3"}]}})"));
}

TEST(js_presence_model, sync_diff_keeps_a_key_while_metas_remain) {
  auto state = object_of(R"({"u1":{"metas":[{"id":1,"phx_ref":"1"},{"id":1,"phx_ref":"1.2"}]}})");
  auto diff = object_of(R"({"joins":{},"leaves":{"u1":{"metas":[{"id":1,"phx_ref":"1"}]}}})");
  EXPECT_EQ(js_sync_diff(state, diff),
            object_of(R"({"u1":{"metas":[{"id":1,"phx_ref":"1.2"}]}})"));
}

TEST(js_presence_model, sync_diff_ignores_leaves_of_unknown_keys) {
  auto diff = object_of(R"({"joins":{},"leaves":{"nobody":{"metas":[{"phx_ref":"9"}]}}})");
  EXPECT_EQ(js_sync_diff(object_of(three_users), diff), object_of(three_users));
}

TEST(js_presence_model, an_update_diff_replaces_the_meta) {
  auto state = object_of(R"({"u":{"metas":[{"s":1,"phx_ref":"a"},{"s":9,"phx_ref":"other"}]}})");
  auto diff = object_of(R"({"joins":{"u":{"metas":[{"s":2,"phx_ref":"b","phx_ref_prev":"a"}]}},)"
                        R"("leaves":{"u":{"metas":[{"s":1,"phx_ref":"a"}]}}})");
  EXPECT_EQ(js_sync_diff(state, diff),
            object_of(R"({"u":{"metas":[{"s":9,"phx_ref":"other"},)"
                      R"({"s":2,"phx_ref":"b","phx_ref_prev":"a"}]}})"));
}

TEST(js_presence_model, keys_named_like_object_prototype_members_are_plain_keys) {
  auto diff = object_of(R"({"joins":{"__proto__":{"metas":[{"phx_ref":"1"}]},)"
                        R"("constructor":{"metas":[{"phx_ref":"2"}]}},"leaves":{}})");
  auto state = js_sync_diff({}, diff);
  EXPECT_EQ(state.size(), 2u);
  EXPECT_TRUE(state.contains("__proto__"));
}

TEST(js_presence_model, normalized_orders_metas_by_ref) {
  auto state = object_of(R"({"u":{"metas":[{"phx_ref":"b"},{"phx_ref":"a"}]}})");
  EXPECT_EQ(js_normalized(state),
            object_of(R"({"u":{"metas":[{"phx_ref":"a"},{"phx_ref":"b"}]}})"));
}

} // namespace
} // namespace rt::presence::test_support
