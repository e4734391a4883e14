#include "rt/protocol/rest_broadcast.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace rt::protocol;

namespace {

constexpr std::size_t max_payload = 100;
constexpr std::string_view json = "application/json";

std::optional<rest_route> route(std::vector<std::string> segments) {
  return match_rest_route(segments);
}

// The 422 (or 400) body of a batch that must be refused.
std::string refusal(std::string_view body, std::optional<std::string_view> type = json,
                    std::uint16_t status = 422) {
  auto r = parse_batch(type, body, max_payload);
  EXPECT_FALSE(r.has_value()) << body;
  if (r)
    return {};
  EXPECT_EQ(r.error().status, status) << body;
  return r.error().body;
}

std::vector<rest_message> batch(std::string_view body) {
  auto r = parse_batch(json, body, max_payload);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().body);
  return r ? *r : std::vector<rest_message>{};
}

// A batch of one message with `fields` added to a valid topic/event/payload.
std::string one(std::string_view fields) {
  return R"({"messages":[{)" + std::string{fields} + "}]}";
}

} // namespace

TEST(rest_route, batch_and_single_with_and_without_prefix) {
  EXPECT_EQ(route({"api", "broadcast"})->which, rest_route::kind::batch);
  EXPECT_EQ(route({"realtime", "v1", "api", "broadcast"})->which, rest_route::kind::batch);
  auto single = route({"realtime", "v1", "api", "broadcast", "room:1", "events", "a b"});
  ASSERT_TRUE(single);
  EXPECT_EQ(single->which, rest_route::kind::single);
  EXPECT_EQ(single->topic, "room:1");
  EXPECT_EQ(single->event, "a b");
  EXPECT_TRUE(route({"api", "broadcast", "t", "events", "e"}));
}

TEST(rest_route, other_paths) {
  EXPECT_FALSE(route({}));
  EXPECT_FALSE(route({"api"}));
  EXPECT_FALSE(route({"api", "Broadcast"}));
  EXPECT_FALSE(route({"realtime", "v1"}));
  EXPECT_FALSE(route({"realtime", "api", "broadcast"}));
  EXPECT_FALSE(route({"api", "broadcast", "t"}));
  EXPECT_FALSE(route({"api", "broadcast", "t", "event", "e"}));
  EXPECT_FALSE(route({"api", "broadcast", "t", "events", "e", "x"}));
  EXPECT_FALSE(route({"socket", "websocket"}));
}

TEST(rest_batch, valid_messages_keep_payload_text) {
  auto got = batch(R"( {"messages":[
      {"topic":"room1","event":"cursor","payload":{ "x" : 1 }},
      {"topic":"room2","event":"e","payload":{},"private":true,
       "id":"0F6D4E2A-1B2C-4D5E-8F90-A1B2C3D4E5F6","extra":1}]} )");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].topic, "room1");
  EXPECT_EQ(got[0].event, "cursor");
  EXPECT_EQ(got[0].payload_json, R"({ "x" : 1 })");
  EXPECT_FALSE(got[0].is_private);
  EXPECT_FALSE(got[0].id);
  EXPECT_EQ(got[1].topic, "room2");
  EXPECT_TRUE(got[1].is_private);
  EXPECT_EQ(got[1].id, "0f6d4e2a-1b2c-4d5e-8f90-a1b2c3d4e5f6");
}

TEST(rest_batch, ecto_casts_of_private_and_id) {
  auto base = std::string{R"("topic":"t","event":"e","payload":{},)"};
  EXPECT_TRUE(batch(one(base + R"("private":"true")"))[0].is_private);
  EXPECT_TRUE(batch(one(base + R"("private":"1")"))[0].is_private);
  EXPECT_FALSE(batch(one(base + R"("private":"0")"))[0].is_private);
  EXPECT_FALSE(batch(one(base + R"("private":null)"))[0].is_private);
  EXPECT_FALSE(batch(one(base + R"("private":"")"))[0].is_private);
  EXPECT_FALSE(batch(one(base + R"("id":null)"))[0].id);
  EXPECT_FALSE(batch(one(base + R"("id":"")"))[0].id);
  // 16 bytes are a raw UUID to Ecto.
  EXPECT_EQ(batch(one(base + R"("id":"abcdefghijklmnop")"))[0].id,
            "61626364-6566-6768-696a-6b6c6d6e6f70");
  // Jason keeps the last of duplicate keys.
  EXPECT_EQ(batch(one(R"("topic":"a","topic":"b","event":"e","payload":{})"))[0].topic, "b");
}

TEST(rest_batch, missing_messages) {
  const std::string blank = R"({"errors":{"messages":["can't be blank"]}})";
  EXPECT_EQ(refusal("{}"), blank);
  EXPECT_EQ(refusal(R"({"messages":null})"), blank);
  EXPECT_EQ(refusal(R"({"messages":[]})"), blank);
  EXPECT_EQ(refusal(""), blank);
  EXPECT_EQ(refusal("[1]"), blank);
  EXPECT_EQ(refusal(R"("text")"), blank);
  // Bodies that are not JSON by their Content-Type are not read.
  auto valid = one(R"("topic":"t","event":"e","payload":{})");
  EXPECT_EQ(refusal(valid, std::nullopt), blank);
  EXPECT_EQ(refusal(valid, "text/plain"), blank);
  EXPECT_EQ(refusal(valid, "application/octet-stream"), blank);
  EXPECT_TRUE(parse_batch("Application/JSON; charset=utf-8", valid, max_payload));
  EXPECT_TRUE(parse_batch("application/vnd.api+json", valid, max_payload));
}

TEST(rest_batch, messages_not_a_list_of_objects) {
  const std::string invalid = R"({"errors":{"messages":["is invalid"]}})";
  EXPECT_EQ(refusal(R"({"messages":{"0":{}}})"), invalid);
  EXPECT_EQ(refusal(R"({"messages":"x"})"), invalid);
  EXPECT_EQ(refusal(R"({"messages":[{"topic":"t","event":"e","payload":{}},1]})"), invalid);
  EXPECT_EQ(refusal(R"({"messages":[[]]})"), invalid);
}

TEST(rest_batch, not_json_is_400) {
  const std::string bad = R"({"message":"Bad Request"})";
  EXPECT_EQ(refusal("{", json, 400), bad);
  EXPECT_EQ(refusal(R"({"messages":[}]})", json, 400), bad);
  EXPECT_EQ(refusal("  ", json, 400), bad);
  EXPECT_EQ(refusal("{\"messages\":\"\xff\"}", json, 400), bad);
}

TEST(rest_batch, per_message_errors_as_supabase_lists_them) {
  // Supabase's own test: missing fields, and {} for the valid message.
  EXPECT_EQ(refusal(R"({"messages":[{"topic":"topic"},{"payload":{"data":"data"}},
                     {"topic":"topic","payload":{"data":"data"},"event":"event"}]})"),
            R"({"errors":{"messages":[{"event":["can't be blank"],"payload":["can't be blank"]},)"
            R"({"event":["can't be blank"],"topic":["can't be blank"]},{}]}})");
}

TEST(rest_batch, every_field_error) {
  EXPECT_EQ(refusal(one(R"("topic":1,"event":true,"payload":[],"private":"yes","id":"nope")")),
            R"({"errors":{"messages":[{"event":["is invalid"],"id":["is invalid"],)"
            R"("payload":["is invalid"],"private":["is invalid"],"topic":["is invalid"]}]}})");
  EXPECT_EQ(refusal(one(R"("topic":"  ","event":"","payload":"")")),
            R"({"errors":{"messages":[{"event":["can't be blank"],"payload":["can't be blank"],)"
            R"("topic":["can't be blank"]}]}})");
  EXPECT_EQ(refusal(one(R"("topic":null,"event":"e","payload":null)")),
            R"({"errors":{"messages":[{"payload":["can't be blank"],"topic":["can't be blank"]}]}})");
  EXPECT_EQ(refusal(one(R"("topic":"t","event":"e","payload":"text")")),
            R"({"errors":{"messages":[{"payload":["is invalid"]}]}})");
  EXPECT_EQ(refusal(one(R"("topic":"t","event":"e","payload":{},"private":2)")),
            R"({"errors":{"messages":[{"private":["is invalid"]}]}})");
  EXPECT_EQ(refusal(one(R"("topic":"t","event":"e","payload":{},"id":5)")),
            R"({"errors":{"messages":[{"id":["is invalid"]}]}})");
  EXPECT_EQ(refusal(one(R"("topic":"t","event":"e","payload":{},"id":"0f6d4e2a-1b2c-4d5e-8f90-a1b2c3d4e5fg")")),
            R"({"errors":{"messages":[{"id":["is invalid"]}]}})");
  EXPECT_EQ(refusal(one(R"("topic":"t","event":"e","payload":{},"id":"0f6d4e2a11b2c-4d5e-8f90-a1b2c3d4e5f6")")),
            R"({"errors":{"messages":[{"id":["is invalid"]}]}})");
}

TEST(rest_batch, payload_size_limit_is_on_the_json_text) {
  auto fits = R"({"k":")" + std::string(max_payload - 8, 'a') + R"("})";
  ASSERT_EQ(fits.size(), max_payload);
  EXPECT_EQ(batch(one(R"("topic":"t","event":"e","payload":)" + fits)).size(), 1u);
  auto over = R"({"k":")" + std::string(max_payload - 7, 'a') + R"("})";
  EXPECT_EQ(refusal(R"({"messages":[{"topic":"t","event":"e","payload":{}},)"
                    R"({"topic":"t","event":"e","payload":)" + over + "}]}"),
            R"({"errors":{"messages":[{},{"payload":["Payload size exceeds tenant limit"]}]}})");
}

TEST(rest_batch, delivered_payload_in_jason_key_order) {
  rest_message m{"room", "cur\"sor", R"({"x": 1})", false, std::nullopt};
  EXPECT_EQ(batch_broadcast_payload(m),
            R"({"event":"cur\"sor","payload":{"x": 1},"type":"broadcast"})");
  m.id = "0f6d4e2a-1b2c-4d5e-8f90-a1b2c3d4e5f6";
  EXPECT_EQ(batch_broadcast_payload(m),
            R"({"event":"cur\"sor","meta":{"id":"0f6d4e2a-1b2c-4d5e-8f90-a1b2c3d4e5f6"},)"
            R"("payload":{"x": 1},"type":"broadcast"})");
}

TEST(rest_single, content_types) {
  EXPECT_EQ(single_body_type(std::nullopt), rest_body_type::json);
  EXPECT_EQ(single_body_type("application/json"), rest_body_type::json);
  EXPECT_EQ(single_body_type("Application/JSON ; charset=utf-8"), rest_body_type::json);
  EXPECT_EQ(single_body_type("application/octet-stream"), rest_body_type::binary);
  EXPECT_EQ(single_body_type("text/plain"), rest_body_type::unsupported);
  EXPECT_EQ(single_body_type("application/vnd.api+json"), rest_body_type::unsupported);
  EXPECT_EQ(single_body_type(""), rest_body_type::unsupported);
  EXPECT_EQ(single_body_type("json"), rest_body_type::unsupported);
}

TEST(rest_single, json_payloads) {
  auto object = parse_single(rest_body_type::json, "ev", R"( {"a":[1, 2]} )", max_payload);
  ASSERT_TRUE(object);
  EXPECT_EQ(object->user_event, "ev");
  EXPECT_EQ(object->encoding, payload_encoding::json);
  EXPECT_EQ(object->bytes, R"({"a":[1, 2]})");
  EXPECT_EQ(parse_single(rest_body_type::json, "ev", "", max_payload)->bytes, "{}");
  // Plug puts a value that is not an object under "_json".
  EXPECT_EQ(parse_single(rest_body_type::json, "ev", "[1,2]", max_payload)->bytes,
            R"({"_json":[1,2]})");
  EXPECT_EQ(parse_single(rest_body_type::json, "ev", R"("hi")", max_payload)->bytes,
            R"({"_json":"hi"})");
  EXPECT_EQ(parse_single(rest_body_type::json, "ev", "null", max_payload)->bytes,
            R"({"_json":null})");
}

TEST(rest_single, refusals) {
  auto bad = parse_single(rest_body_type::json, "ev", "{x", max_payload);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().status, 400);
  EXPECT_EQ(bad.error().body, R"({"message":"Bad Request"})");
  const std::string too_large = R"({"errors":{"payload":["Payload size exceeds tenant limit"]}})";
  auto big_json = parse_single(rest_body_type::json, "ev",
                               R"({"k":")" + std::string(max_payload, 'a') + R"("})", max_payload);
  ASSERT_FALSE(big_json);
  EXPECT_EQ(big_json.error().status, 422);
  EXPECT_EQ(big_json.error().body, too_large);
  auto big_binary =
    parse_single(rest_body_type::binary, "ev", std::string(max_payload + 1, 'b'), max_payload);
  ASSERT_FALSE(big_binary);
  EXPECT_EQ(big_binary.error().body, too_large);
}

TEST(rest_single, binary_payloads_are_kept_as_bytes) {
  std::string bytes{"\x00\xff{", 3};
  auto got = parse_single(rest_body_type::binary, "ev", bytes, max_payload);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->encoding, payload_encoding::binary);
  EXPECT_EQ(got->bytes, bytes);
  EXPECT_EQ(parse_single(rest_body_type::binary, "ev", "", max_payload)->bytes, "");
  EXPECT_TRUE(parse_single(rest_body_type::binary, "ev", std::string(max_payload, 'b'), max_payload));
}

TEST(rest_token, bearer_then_apikey) {
  EXPECT_EQ(rest_token("Bearer abc", std::nullopt), "abc");
  EXPECT_EQ(rest_token("bearer abc", "key"), "abc");
  EXPECT_EQ(rest_token("BEARER abc", "key"), "abc");
  EXPECT_EQ(rest_token("Basic abc", "key"), "key");
  EXPECT_EQ(rest_token("Bearer", "key"), "key");
  EXPECT_EQ(rest_token("Bearer a b", "key"), "key");
  EXPECT_EQ(rest_token("", "key"), "key");
  EXPECT_EQ(rest_token(std::nullopt, ""), "");
  EXPECT_EQ(rest_token("Bearer ", std::nullopt), "");
  EXPECT_FALSE(rest_token(std::nullopt, std::nullopt));
  EXPECT_FALSE(rest_token("Basic abc", std::nullopt));
}

TEST(rest_rate, supabase_rounding) {
  EXPECT_EQ(check_rest_rate(0, 10, 10), rest_rate_verdict::ok);
  EXPECT_EQ(check_rest_rate(0, 10, 11), rest_rate_verdict::batch_too_large);
  EXPECT_EQ(check_rest_rate(9.5, 10, 1), rest_rate_verdict::batch_too_large);
  EXPECT_EQ(check_rest_rate(9.5, 10, 0), rest_rate_verdict::ok);
  EXPECT_EQ(check_rest_rate(10, 10, 0), rest_rate_verdict::saturated);
  EXPECT_EQ(check_rest_rate(10.2, 10, 1), rest_rate_verdict::saturated);
}

TEST(rest_headers, lower_case_last_wins_sorted_utf8_only) {
  std::vector<std::pair<std::string_view, std::string_view>> headers{
    {"X-Client", "a"}, {"Authorization", "Bearer t"}, {"x-client", "b\"c"}, {"X-Bad", "\xff"}};
  EXPECT_EQ(headers_json(headers), R"({"authorization":"Bearer t","x-client":"b\"c"})");
  EXPECT_EQ(headers_json({}), "{}");
}
