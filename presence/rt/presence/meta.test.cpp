#include "rt/presence/meta.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace rt::presence {
namespace {

boost::json::object object_of(std::string_view json) {
  return boost::json::parse(json).as_object();
}

TEST(tracked_meta, puts_the_ref_first_then_the_client_fields_in_order) {
  auto meta = tracked_meta(object_of(R"({"user":"u1","online_at":12})"), "REF");
  EXPECT_EQ(boost::json::serialize(meta), R"({"phx_ref":"REF","user":"u1","online_at":12})");
}

TEST(tracked_meta, adds_phx_ref_prev_after_an_update) {
  auto meta = tracked_meta(object_of(R"({"s":1})"), "NEW", "OLD");
  EXPECT_EQ(boost::json::serialize(meta), R"({"phx_ref":"NEW","phx_ref_prev":"OLD","s":1})");
}

TEST(tracked_meta, client_fields_named_like_the_refs_are_dropped) {
  auto meta = tracked_meta(object_of(R"({"phx_ref":"forged","phx_ref_prev":"x","a":true})"), "R");
  EXPECT_EQ(boost::json::serialize(meta), R"({"phx_ref":"R","a":true})");
}

TEST(tracked_meta, numbers_json_cannot_carry_are_stored_as_null) {
  auto meta = tracked_meta(object_of(R"({"a":1e999,"b":[-1e999,2.5],"c":{"d":1e999},"e":1})"), "R");
  auto text = boost::json::serialize(meta);
  EXPECT_EQ(text, R"({"phx_ref":"R","a":null,"b":[null,2.5E0],"c":{"d":null},"e":1})");
  boost::system::error_code ec;
  (void)boost::json::parse(text, ec);
  EXPECT_FALSE(ec) << "presence_state must stay parseable";
}

TEST(phx_ref_of, reads_the_ref_or_nothing) {
  EXPECT_EQ(phx_ref_of(object_of(R"({"phx_ref":"abc"})")), "abc");
  EXPECT_EQ(phx_ref_of(object_of(R"({"phx_ref":5})")), "");
  EXPECT_EQ(phx_ref_of(object_of(R"({})")), "");
}

TEST(same_client_fields, ignores_refs_and_field_order) {
  auto stored = tracked_meta(object_of(R"({"a":1,"b":[1,2]})"), "R", "P");
  EXPECT_TRUE(same_client_fields(stored, object_of(R"({"b":[1,2],"a":1})")));
  EXPECT_TRUE(same_client_fields(stored, object_of(R"({"a":1,"b":[1,2],"phx_ref":"zz"})")));
}

TEST(same_client_fields, sees_changed_added_and_removed_fields) {
  auto stored = tracked_meta(object_of(R"({"a":1,"b":2})"), "R");
  EXPECT_FALSE(same_client_fields(stored, object_of(R"({"a":1,"b":3})")));
  EXPECT_FALSE(same_client_fields(stored, object_of(R"({"a":1,"b":2,"c":3})")));
  EXPECT_FALSE(same_client_fields(stored, object_of(R"({"a":1})")));
  EXPECT_FALSE(same_client_fields(stored, object_of(R"({"a":1,"c":2})")));
}

} // namespace
} // namespace rt::presence
