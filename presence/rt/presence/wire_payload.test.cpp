#include "rt/presence/wire_payload.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace rt::presence {
namespace {

const replica_ref node_a{"a", 1};

presence make(std::string topic, std::string key, std::string_view meta_json,
              owner_id owner = 1) {
  return presence{node_a, owner, std::move(topic), std::move(key),
                  boost::json::parse(meta_json).as_object()};
}

std::vector<presence_view> views(const std::vector<presence>& ps) {
  std::vector<presence_view> out;
  for (const auto& p : ps)
    out.push_back(view_of(p));
  return out;
}

TEST(presence_state_json, groups_metas_by_key_in_key_order) {
  std::vector<presence> ps{make("t", "u2", R"({"phx_ref":"r1"})"),
                           make("t", "u1", R"({"phx_ref":"r2","x":1})"),
                           make("t", "u2", R"({"phx_ref":"r3"})", 2)};
  EXPECT_EQ(presence_state_json(views(ps)),
            R"({"u1":{"metas":[{"phx_ref":"r2","x":1}]},)"
            R"("u2":{"metas":[{"phx_ref":"r1"},{"phx_ref":"r3"}]}})");
}

TEST(presence_state_json, of_nothing_is_an_empty_object) {
  EXPECT_EQ(presence_state_json({}), "{}");
}

TEST(presence_state_json, escapes_keys) {
  std::vector<presence> ps{make("t", "a\"b\\c\n\x01", R"({"phx_ref":"r"})")};
  auto json = presence_state_json(views(ps));
  EXPECT_EQ(json, R"({"a\"b\\c\n\u0001":{"metas":[{"phx_ref":"r"}]}})");
  auto parsed = boost::json::parse(json).as_object();
  EXPECT_TRUE(parsed.contains("a\"b\\c\n\x01"));
}

TEST(presence_diff_json, always_has_joins_and_leaves) {
  EXPECT_EQ(presence_diff_json({}, {}), R"({"joins":{},"leaves":{}})");
  std::vector<presence> joined{make("t", "k", R"({"phx_ref":"r"})")};
  EXPECT_EQ(presence_diff_json(views(joined), {}),
            R"({"joins":{"k":{"metas":[{"phx_ref":"r"}]}},"leaves":{}})");
}

TEST(presence_diff_json, an_update_is_the_same_key_in_joins_and_leaves) {
  std::vector<presence> joined{make("t", "k", R"({"phx_ref":"new","phx_ref_prev":"old","s":2})")};
  std::vector<presence> left{make("t", "k", R"({"phx_ref":"old","s":1})")};
  EXPECT_EQ(presence_diff_json(views(joined), views(left)),
            R"({"joins":{"k":{"metas":[{"phx_ref":"new","phx_ref_prev":"old","s":2}]}},)"
            R"("leaves":{"k":{"metas":[{"phx_ref":"old","s":1}]}}})");
}

TEST(presence_diff_payloads, one_payload_per_topic_in_topic_order) {
  presence_diff diff;
  diff.joins.push_back(make("room:b", "k1", R"({"phx_ref":"1"})"));
  diff.joins.push_back(make("room:a", "k2", R"({"phx_ref":"2"})"));
  diff.leaves.push_back(make("room:b", "k3", R"({"phx_ref":"3"})"));
  auto payloads = presence_diff_payloads(diff);
  ASSERT_EQ(payloads.size(), 2u);
  EXPECT_EQ(payloads[0].topic, "room:a");
  EXPECT_EQ(payloads[0].json, R"({"joins":{"k2":{"metas":[{"phx_ref":"2"}]}},"leaves":{}})");
  EXPECT_EQ(payloads[1].topic, "room:b");
  EXPECT_EQ(payloads[1].json,
            R"({"joins":{"k1":{"metas":[{"phx_ref":"1"}]}},)"
            R"("leaves":{"k3":{"metas":[{"phx_ref":"3"}]}}})");
}

TEST(presence_diff_payloads, of_an_empty_diff_is_nothing) {
  EXPECT_TRUE(presence_diff_payloads(presence_diff{}).empty());
}

} // namespace
} // namespace rt::presence
