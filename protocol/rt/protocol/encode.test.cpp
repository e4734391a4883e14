#include "rt/protocol/encode.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>

using rt::protocol::encode_broadcast;
using rt::protocol::encode_channel_signal;
using rt::protocol::encode_error_reply;
using rt::protocol::encode_push;
using rt::protocol::encode_reply;
using rt::protocol::encode_user_broadcast;
using rt::protocol::opcode;
using rt::protocol::payload_encoding;
using rt::protocol::reason_json;
using rt::protocol::ref_value;
using rt::protocol::shared_frame;
using rt::protocol::user_broadcast_as_json;
using rt::protocol::user_broadcast_payload;
using rt::protocol::vsn;

namespace {

ref_value str_ref(std::string_view s) {
  return ref_value::from_string(s);
}

const ref_value null_ref{};

void append_part(std::string& out, int byte) {
  out.push_back(static_cast<char>(static_cast<std::uint8_t>(byte)));
}

void append_part(std::string& out, std::string_view text) {
  out.append(text);
}

/// Bytes (ints) and strings concatenated: `bin(4, "t")` is 04 74.
template <class... Parts>
std::string bin(Parts... parts) {
  std::string out;
  (append_part(out, parts), ...);
  return out;
}

/// The frame's payload text; empty (and a test failure) for nullptr.
std::string text_of(const shared_frame& f) {
  EXPECT_NE(f, nullptr);
  return f ? std::string{f->payload()} : std::string{};
}

user_broadcast_payload user(std::string event, payload_encoding enc, std::string bytes) {
  return user_broadcast_payload{std::move(event), enc, std::move(bytes)};
}

// 45 bytes, the size of the `{"id":"<uuid>"}` in Supabase's kind 4 example.
constexpr std::string_view uuid_meta = R"({"id":"006554ce-7a1b-4c2d-9e3f-0123456789ab"})";

} // namespace

// -- replies ---------------------------------------------------------------------

TEST(encode_reply, v2_matches_phoenix_fixture) {
  auto f = encode_reply(vsn::v2, str_ref("3"), str_ref("3"), "room:lobby", "ok", "{}");
  EXPECT_EQ(text_of(f), R"(["3","3","room:lobby","phx_reply",{"status":"ok","response":{}}])");
  EXPECT_EQ(f->op(), opcode::text);
}

TEST(encode_reply, v1_is_an_object_with_ref_and_no_join_ref) {
  auto f = encode_reply(vsn::v1, str_ref("3"), str_ref("4"), "room:lobby", "ok",
                        R"({"postgres_changes":[]})");
  EXPECT_EQ(text_of(f), R"({"topic":"room:lobby","event":"phx_reply",)"
                        R"("payload":{"status":"ok","response":{"postgres_changes":[]}},)"
                        R"("ref":"4"})");
  EXPECT_EQ(f->op(), opcode::text);
}

TEST(encode_reply, echoes_numeric_refs_as_numbers) {
  auto refs = ref_value::from_json("7");
  EXPECT_EQ(text_of(encode_reply(vsn::v2, ref_value::from_json("1"), refs, "t", "ok", "{}")),
            R"([1,7,"t","phx_reply",{"status":"ok","response":{}}])");
  EXPECT_EQ(text_of(encode_reply(vsn::v1, null_ref, refs, "t", "ok", "{}")),
            R"({"topic":"t","event":"phx_reply","payload":{"status":"ok","response":{}},"ref":7})");
}

TEST(encode_reply, heartbeat_reply_has_null_join_ref) {
  auto f = encode_reply(vsn::v2, null_ref, str_ref("26"), "phoenix", "ok", "{}");
  EXPECT_EQ(text_of(f), R"([null,"26","phoenix","phx_reply",{"status":"ok","response":{}}])");
}

TEST(encode_error_reply, v2_matches_phoenix_unmatched_topic_fixture) {
  auto f = encode_error_reply(vsn::v2, null_ref, str_ref("9"), "room:x", "unmatched topic");
  EXPECT_EQ(text_of(f), R"([null,"9","room:x","phx_reply",)"
                        R"({"status":"error","response":{"reason":"unmatched topic"}}])");
}

TEST(encode_error_reply, v1_carries_reason_and_ref) {
  auto f = encode_error_reply(vsn::v1, str_ref("1"), str_ref("9"), "room:x", "unmatched topic");
  EXPECT_EQ(text_of(f), R"({"topic":"room:x","event":"phx_reply","payload":{"status":"error",)"
                        R"("response":{"reason":"unmatched topic"}},"ref":"9"})");
}

TEST(reason_json, escapes_the_reason) {
  EXPECT_EQ(reason_json("unmatched topic"), R"({"reason":"unmatched topic"})");
  EXPECT_EQ(reason_json("say \"no\"\\\n\x01"), R"({"reason":"say \"no\"\\\n\u0001"})");
  EXPECT_EQ(reason_json(""), R"({"reason":""})");
}

// -- pushes, channel signals, broadcasts ------------------------------------------

TEST(encode_push, v2_matches_phoenix_fixture) {
  auto f = encode_push(vsn::v2, str_ref("3"), "room:lobby", "new_msg", R"({"body":"hi"})");
  EXPECT_EQ(text_of(f), R"(["3",null,"room:lobby","new_msg",{"body":"hi"}])");
}

TEST(encode_push, v1_has_null_ref_and_no_join_ref) {
  auto f = encode_push(vsn::v1, str_ref("3"), "room:lobby", "new_msg", R"({"body":"hi"})");
  EXPECT_EQ(text_of(f),
            R"({"topic":"room:lobby","event":"new_msg","payload":{"body":"hi"},"ref":null})");
}

TEST(encode_push, copies_payload_text_verbatim) {
  std::string_view payload = R"({ "b" : 1.0, "a" : [ ] })";
  auto f = encode_push(vsn::v2, str_ref("1"), "t", "system", payload);
  EXPECT_EQ(text_of(f), std::string{R"(["1",null,"t","system",)"} + std::string{payload} + "]");
}

TEST(encode_channel_signal, v2_puts_join_ref_in_both_ref_fields) {
  EXPECT_EQ(text_of(encode_channel_signal(vsn::v2, str_ref("3"), "room:lobby", "phx_close")),
            R"(["3","3","room:lobby","phx_close",{}])");
  EXPECT_EQ(text_of(encode_channel_signal(vsn::v2, str_ref("1"), "realtime:room1", "phx_error")),
            R"(["1","1","realtime:room1","phx_error",{}])");
}

TEST(encode_channel_signal, v1_uses_join_ref_as_ref) {
  EXPECT_EQ(text_of(encode_channel_signal(vsn::v1, str_ref("3"), "room:lobby", "phx_close")),
            R"({"topic":"room:lobby","event":"phx_close","payload":{},"ref":"3"})");
}

TEST(encode_broadcast, v2_matches_phoenix_fixture) {
  auto f = encode_broadcast(vsn::v2, "room:lobby", "new_msg", R"({"body":"hi"})");
  EXPECT_EQ(text_of(f), R"([null,null,"room:lobby","new_msg",{"body":"hi"}])");
  EXPECT_EQ(f->op(), opcode::text);
}

TEST(encode_broadcast, v1_has_null_ref) {
  auto f = encode_broadcast(vsn::v1, "room:lobby", "new_msg", R"({"body":"hi"})");
  EXPECT_EQ(text_of(f),
            R"({"topic":"room:lobby","event":"new_msg","payload":{"body":"hi"},"ref":null})");
}

TEST(encode_text, escapes_quotes_backslashes_and_control_chars_in_topic_and_event) {
  std::string_view topic = "a\"b\\c\n\t\x01\x1f\x7f\xc3\xa9";
  std::string nul_event("e\0v", 3);
  std::string_view topic_json = R"("a\"b\\c\n\t\u0001\u001f)" "\x7f\xc3\xa9\"";
  std::string_view event_json = R"("e\u0000v")";
  EXPECT_EQ(text_of(encode_broadcast(vsn::v2, topic, nul_event, "{}")),
            "[null,null," + std::string{topic_json} + "," + std::string{event_json} + ",{}]");
  EXPECT_EQ(text_of(encode_broadcast(vsn::v1, topic, nul_event, "{}")),
            R"({"topic":)" + std::string{topic_json} + R"(,"event":)" + std::string{event_json}
              + R"(,"payload":{},"ref":null})");
}

TEST(encode_text, v1_frames_never_contain_join_ref) {
  auto j = str_ref("join_ref");
  std::vector<shared_frame> frames{
    encode_reply(vsn::v1, j, str_ref("1"), "t", "ok", "{}"),
    encode_error_reply(vsn::v1, j, str_ref("1"), "t", "nope"),
    encode_push(vsn::v1, j, "t", "e", "{}"),
    encode_channel_signal(vsn::v1, str_ref("5"), "t", "phx_close"),
    encode_broadcast(vsn::v1, "t", "e", "{}"),
    encode_user_broadcast(vsn::v1, "t", user("e", payload_encoding::json, "{}"), uuid_meta),
  };
  for (auto& f : frames) {
    auto text = text_of(f);
    EXPECT_EQ(text.find("join_ref"), std::string::npos) << text;
    auto v = boost::json::parse(text);
    ASSERT_TRUE(v.is_object()) << text;
    auto& o = v.as_object();
    EXPECT_EQ(o.size(), 4u) << text;
    for (auto key : {"topic", "event", "payload", "ref"})
      EXPECT_TRUE(o.contains(key)) << key << " in " << text;
  }
}

TEST(encode_text, every_v2_text_frame_is_a_five_element_array) {
  std::string_view topic = "realtime:\"odd\\topic\n";
  std::string_view event = "ev\"ent";
  auto j = str_ref("j\"1");
  auto r = ref_value::from_json("42");
  std::vector<shared_frame> frames{
    encode_reply(vsn::v2, j, r, topic, "ok", R"({"a":[1,{"b":"]"}]})"),
    encode_error_reply(vsn::v2, j, r, topic, "reason \"x\""),
    encode_push(vsn::v2, j, topic, event, R"({"x":"y"})"),
    encode_channel_signal(vsn::v2, j, topic, "phx_error"),
    encode_broadcast(vsn::v2, topic, event, "{}"),
    encode_user_broadcast(vsn::v2, std::string(256, 't'),
                          user(std::string{event}, payload_encoding::json, "[1]"), ""),
  };
  for (auto& f : frames) {
    auto text = text_of(f);
    EXPECT_EQ(f->op(), opcode::text);
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    ASSERT_FALSE(ec) << text;
    ASSERT_TRUE(v.is_array()) << text;
    auto& a = v.as_array();
    ASSERT_EQ(a.size(), 5u) << text;
    EXPECT_TRUE(a[2].is_string()) << text;
    EXPECT_TRUE(a[3].is_string()) << text;
  }
  auto reply = boost::json::parse(text_of(frames[0])).as_array();
  EXPECT_EQ(reply[0].as_string(), "j\"1");
  EXPECT_EQ(reply[1].as_int64(), 42);
  EXPECT_EQ(reply[2].as_string(), topic);
  auto push = boost::json::parse(text_of(frames[2])).as_array();
  EXPECT_TRUE(push[1].is_null());
  EXPECT_EQ(push[3].as_string(), event);
}

// -- Supabase user broadcasts ------------------------------------------------------

TEST(encode_user_broadcast, v2_json_payload_is_kind_4_as_in_supabase_docs) {
  ASSERT_EQ(uuid_meta.size(), 0x2Du);
  std::string_view json = R"({"message":"hello"})";
  auto f = encode_user_broadcast(vsn::v2, "realtime:chat-room",
                                 user("message", payload_encoding::json, std::string{json}),
                                 uuid_meta);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->op(), opcode::binary);
  EXPECT_EQ(f->payload(),
            bin(0x04, 0x12, 0x07, 0x2D, 0x01, "realtime:chat-room", "message", uuid_meta, json));
}

TEST(encode_user_broadcast, v2_binary_payload_is_kind_4_with_encoding_0) {
  std::string payload("\x00\xff\x10", 3);
  auto f = encode_user_broadcast(vsn::v2, "realtime:r",
                                 user("blob", payload_encoding::binary, payload), "");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->op(), opcode::binary);
  EXPECT_EQ(f->payload(), bin(0x04, 10, 4, 0, 0, "realtime:r", "blob") + payload);
}

TEST(encode_user_broadcast, v2_accepts_255_byte_fields_in_kind_4) {
  std::string topic(255, 't');
  std::string event(255, 'e');
  auto f = encode_user_broadcast(vsn::v2, topic, user(event, payload_encoding::binary, "x"), "");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->op(), opcode::binary);
  EXPECT_EQ(f->payload(), bin(4, 255, 255, 0, 0, topic, event, "x"));
}

TEST(encode_user_broadcast, v1_json_payload_is_a_text_broadcast) {
  auto f = encode_user_broadcast(vsn::v1, "realtime:chat-room",
                                 user("message", payload_encoding::json, R"({"a":1.0})"), "");
  EXPECT_EQ(f->op(), opcode::text);
  EXPECT_EQ(text_of(f), R"({"topic":"realtime:chat-room","event":"broadcast",)"
                        R"("payload":{"event":"message","payload":{"a":1.0},"type":"broadcast"},)"
                        R"("ref":null})");
}

TEST(encode_user_broadcast, v1_text_includes_meta_when_given) {
  auto f = encode_user_broadcast(vsn::v1, "realtime:r",
                                 user("message", payload_encoding::json, "{}"), uuid_meta);
  EXPECT_EQ(text_of(f), R"({"topic":"realtime:r","event":"broadcast","payload":{"event":"message",)"
                        R"("payload":{},"type":"broadcast","meta":)"
                          + std::string{uuid_meta} + R"(},"ref":null})");
}

TEST(encode_user_broadcast, v1_cannot_receive_binary_payload) {
  EXPECT_EQ(encode_user_broadcast(vsn::v1, "realtime:r",
                                  user("blob", payload_encoding::binary, "\x01\x02"), ""),
            nullptr);
}

TEST(encode_user_broadcast, v2_falls_back_to_text_when_topic_exceeds_255_bytes) {
  std::string topic(256, 't');
  auto f = encode_user_broadcast(vsn::v2, topic,
                                 user("message", payload_encoding::json, R"({"a":1})"), "");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->op(), opcode::text);
  EXPECT_EQ(text_of(f), R"([null,null,")" + topic + R"(","broadcast",)"
                          R"({"event":"message","payload":{"a":1},"type":"broadcast"}])");
}

TEST(encode_user_broadcast, v2_falls_back_to_text_when_event_or_meta_exceeds_255_bytes) {
  std::string event(256, 'e');
  auto long_event =
    encode_user_broadcast(vsn::v2, "realtime:r", user(event, payload_encoding::json, "{}"), "");
  ASSERT_NE(long_event, nullptr);
  EXPECT_EQ(long_event->op(), opcode::text);

  std::string meta = R"({"id":")" + std::string(250, 'x') + R"("})";
  ASSERT_GT(meta.size(), 255u);
  auto long_meta =
    encode_user_broadcast(vsn::v2, "realtime:r", user("e", payload_encoding::json, "{}"), meta);
  ASSERT_NE(long_meta, nullptr);
  EXPECT_EQ(long_meta->op(), opcode::text);
  EXPECT_NE(text_of(long_meta).find(R"("meta":)" + meta), std::string::npos);
}

TEST(encode_user_broadcast, v2_binary_payload_with_256_byte_topic_is_undeliverable) {
  EXPECT_EQ(encode_user_broadcast(vsn::v2, std::string(256, 't'),
                                  user("blob", payload_encoding::binary, "\x01"), ""),
            nullptr);
}

TEST(user_broadcast_as_json, escapes_user_event_and_orders_keys) {
  EXPECT_EQ(user_broadcast_as_json(user("a\"b", payload_encoding::json, "[1]"), ""),
            R"({"event":"a\"b","payload":[1],"type":"broadcast"})");
  EXPECT_EQ(user_broadcast_as_json(user("e", payload_encoding::json, "null"),
                                   R"({"replayed":true})"),
            R"({"event":"e","payload":null,"type":"broadcast","meta":{"replayed":true}})");
}

// -- Phoenix binary kinds 0, 1, 2 (fixtures from Phoenix's v2 serializer tests) --

TEST(encode_binary_reply, matches_phoenix_reply_fixture) {
  using namespace std::string_literals;
  auto f = rt::protocol::encode_binary_reply(
    rt::protocol::vsn::v2, rt::protocol::ref_value::from_string("12"),
    rt::protocol::ref_value::from_string("123"), "topic", "ok", "efg");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->op(), rt::protocol::opcode::binary);
  EXPECT_EQ(std::string{f->payload()}, "\x01\x02\x03\x05\x02" "12123topicokefg"s);
}

TEST(encode_binary_broadcast, matches_phoenix_broadcast_fixture) {
  using namespace std::string_literals;
  auto f = rt::protocol::encode_binary_broadcast(rt::protocol::vsn::v2, "topic", "event",
                                                 "efg");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(std::string{f->payload()}, "\x02\x05\x05" "topiceventefg"s);
}

TEST(encode_binary_push, has_no_ref_field) {
  using namespace std::string_literals;
  auto f = rt::protocol::encode_binary_push(rt::protocol::vsn::v2,
                                            rt::protocol::ref_value::from_string("12"),
                                            "topic", "event", "efg");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(std::string{f->payload()}, "\x00\x02\x05\x05" "12topiceventefg"s);
}

TEST(encode_binary_push, null_join_ref_is_an_empty_field) {
  using namespace std::string_literals;
  auto f = rt::protocol::encode_binary_push(rt::protocol::vsn::v2, {}, "t", "e", "");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(std::string{f->payload()}, "\x00\x00\x01\x01" "te"s);
}

TEST(encode_binary_broadcast, is_not_available_on_v1_or_for_long_fields) {
  EXPECT_EQ(rt::protocol::encode_binary_broadcast(rt::protocol::vsn::v1, "t", "e", "x"),
            nullptr);
  EXPECT_EQ(rt::protocol::encode_binary_broadcast(rt::protocol::vsn::v2,
                                                  std::string(256, 't'), "e", "x"),
            nullptr);
  EXPECT_EQ(rt::protocol::encode_binary_reply(rt::protocol::vsn::v1, {}, {}, "t", "ok", "x"),
            nullptr);
}
