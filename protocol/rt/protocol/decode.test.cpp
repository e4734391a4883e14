#include "rt/protocol/decode.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

using rt::protocol::binary_payload;
using rt::protocol::decode_binary;
using rt::protocol::decode_failure;
using rt::protocol::decode_result;
using rt::protocol::decode_text;
using rt::protocol::errc;
using rt::protocol::json_payload;
using rt::protocol::message;
using rt::protocol::payload_encoding;
using rt::protocol::user_broadcast_payload;
using rt::protocol::vsn;

namespace {

// -- frame builders ------------------------------------------------------------

void append_part(std::string& out, int byte) {
  out.push_back(static_cast<char>(static_cast<std::uint8_t>(byte)));
}

void append_part(std::string& out, std::string_view text) {
  out.append(text);
}

/// A binary frame from bytes (ints) and strings, in order:
/// `bin(0, 2, "12")` is the bytes 00 02 31 32.
template <class... Parts>
std::string bin(Parts... parts) {
  std::string out;
  (append_part(out, parts), ...);
  return out;
}

/// A V2 text frame `[join_ref, ref, topic, event, payload]` from JSON tokens.
std::string v2(std::string_view join_ref, std::string_view ref, std::string_view topic,
               std::string_view event, std::string_view payload) {
  std::string out = "[";
  for (auto part : {join_ref, ref, topic, event}) {
    out.append(part);
    out.push_back(',');
  }
  out.append(payload);
  out.push_back(']');
  return out;
}

std::string json_str(std::string_view s) {
  return "\"" + std::string{s} + "\"";
}

// -- result accessors ------------------------------------------------------------

message ok(const decode_result& r) {
  EXPECT_TRUE(r.has_value()) << "decode failed with code "
                             << (r ? 0 : static_cast<int>(r.error().code));
  return r ? *r : message{};
}

decode_failure failure(const decode_result& r) {
  EXPECT_FALSE(r.has_value()) << "decode unexpectedly succeeded";
  return r ? decode_failure{} : r.error();
}

const json_payload& json_body(const message& m) {
  static const json_payload none{};
  auto* p = m.json();
  EXPECT_NE(p, nullptr) << "body is not JSON";
  return p != nullptr ? *p : none;
}

template <class T>
T body_as(const message& m) {
  auto* p = std::get_if<T>(&m.body);
  EXPECT_NE(p, nullptr) << "unexpected body alternative " << m.body.index();
  return p != nullptr ? *p : T{};
}

} // namespace

// ================================================================================
// vsn 2.0.0 text: [join_ref, ref, topic, event, payload]
// ================================================================================

TEST(decode_v2_text, reads_all_five_fields) {
  auto m = ok(decode_text(vsn::v2, R"(["3","3","room:lobby","phx_join",{"token":"abc"}])"));
  EXPECT_EQ(m.join_ref.json(), R"("3")");
  EXPECT_EQ(m.ref.json(), R"("3")");
  EXPECT_EQ(m.topic, "room:lobby");
  EXPECT_EQ(m.event, "phx_join");
  EXPECT_EQ(json_body(m).text, R"({"token":"abc"})");
  EXPECT_EQ(json_body(m).value.at("token").as_string(), "abc");
}

TEST(decode_v2_text, echoes_string_ref_verbatim) {
  auto m = ok(decode_text(vsn::v2, v2("null", R"("7")", R"("t")", R"("e")", "{}")));
  EXPECT_EQ(m.ref.json(), R"("7")");
  EXPECT_EQ(m.ref.text(), "7");
}

TEST(decode_v2_text, echoes_numeric_ref_verbatim) {
  auto m = ok(decode_text(vsn::v2, v2("12", "7", R"("t")", R"("e")", "{}")));
  EXPECT_EQ(m.join_ref.json(), "12");
  EXPECT_EQ(m.ref.json(), "7");
  EXPECT_EQ(m.ref.text(), "7");
  EXPECT_NE(m.ref.json(), R"("7")"); // a number stays a number
}

TEST(decode_v2_text, keeps_null_refs_null) {
  auto m = ok(decode_text(vsn::v2, R"([null,null,"phoenix","heartbeat",{}])"));
  EXPECT_TRUE(m.join_ref.is_null());
  EXPECT_TRUE(m.ref.is_null());
  EXPECT_EQ(m.ref.json(), "null");
}

TEST(decode_v2_text, keeps_payload_text_byte_for_byte) {
  // Whitespace, key order, 1.0 (which a re-encode would print as 1E0 or 1)
  // and escaped text must survive untouched.
  std::string_view payload = R"({ "z" : 1.0,  "a":[ 1 , 2 ], "s":"]}\"[{" ,"n":null })";
  auto m = ok(decode_text(vsn::v2, v2(R"("1")", R"("2")", R"("t")", R"("e")", payload)));
  auto& body = json_body(m);
  EXPECT_EQ(body.text, payload);
  EXPECT_DOUBLE_EQ(body.value.at("z").as_double(), 1.0);
  EXPECT_EQ(body.value.at("a").as_array().size(), 2u);
  EXPECT_EQ(body.value.at("s").as_string(), "]}\"[{");
  EXPECT_TRUE(body.value.at("n").is_null());
}

TEST(decode_v2_text, accepts_whitespace_between_elements) {
  auto m = ok(decode_text(vsn::v2, " [ \"1\" ,\n 2 ,\t\"t\" , \"e\" , [ 1 ] ] "));
  EXPECT_EQ(m.join_ref.json(), R"("1")");
  EXPECT_EQ(m.ref.json(), "2");
  EXPECT_EQ(json_body(m).text, "[ 1 ]");
}

TEST(decode_v2_text, accepts_non_object_payloads) {
  for (std::string_view payload : {"\"text\"", "42", "1.0", "null", "true", "[]"}) {
    auto m = ok(decode_text(vsn::v2, v2("null", R"("1")", R"("t")", R"("e")", payload)));
    EXPECT_EQ(json_body(m).text, payload);
  }
}

TEST(decode_v2_text, ignores_extra_trailing_elements) {
  auto m = ok(decode_text(vsn::v2, R"(["1","2","t","e",{"a":1},"extra",{"b":[3]},null])"));
  EXPECT_EQ(m.topic, "t");
  EXPECT_EQ(m.event, "e");
  EXPECT_EQ(json_body(m).text, R"({"a":1})");
}

TEST(decode_v2_text, decodes_escaped_topic_and_event) {
  auto m = ok(decode_text(vsn::v2, R"([null,"1","room:\"q\"\\\u00e9","ev\nt",{}])"));
  EXPECT_EQ(m.topic, "room:\"q\"\\\xC3\xA9");
  EXPECT_EQ(m.event, "ev\nt");
}

TEST(decode_v2_text, accepts_255_byte_topic_event_and_refs) {
  std::string f(255, 'f');
  auto m = ok(decode_text(vsn::v2, v2(json_str(f), json_str(f), json_str(f), json_str(f), "{}")));
  EXPECT_EQ(m.topic.size(), 255u);
  EXPECT_EQ(m.event.size(), 255u);
  EXPECT_EQ(m.join_ref.text().size(), 255u);
  EXPECT_EQ(m.ref.text().size(), 255u);
}

TEST(decode_v2_text, rejects_invalid_json) {
  for (std::string_view frame : {"", "[", R"(["1","2","t","e",{}] x)", "{'a':1}", "nope"}) {
    auto f = failure(decode_text(vsn::v2, frame));
    EXPECT_EQ(f.code, errc::malformed_json) << frame;
    EXPECT_TRUE(f.join_ref.is_null()) << frame;
    EXPECT_TRUE(f.ref.is_null()) << frame;
    EXPECT_TRUE(f.topic.empty()) << frame;
  }
}

TEST(decode_v2_text, rejects_json_that_is_not_an_array) {
  for (std::string_view frame :
       {R"({"topic":"t","event":"e","payload":{},"ref":"1"})", R"("str")", "42", "null"}) {
    auto f = failure(decode_text(vsn::v2, frame));
    EXPECT_EQ(f.code, errc::malformed_message) << frame;
    EXPECT_TRUE(f.topic.empty()) << frame;
  }
}

TEST(decode_v2_text, rejects_short_array_salvaging_refs_and_topic) {
  auto f = failure(decode_text(vsn::v2, R"(["1","2","realtime:room","phx_join"])"));
  EXPECT_EQ(f.code, errc::malformed_message);
  EXPECT_EQ(f.join_ref.json(), R"("1")");
  EXPECT_EQ(f.ref.json(), R"("2")");
  EXPECT_EQ(f.topic, "realtime:room");
}

TEST(decode_v2_text, rejects_arrays_of_fewer_than_five_elements) {
  for (std::string_view frame : {"[]", R"(["1"])", R"(["1","2"])", R"(["1","2","t"])"}) {
    auto f = failure(decode_text(vsn::v2, frame));
    EXPECT_EQ(f.code, errc::malformed_message) << frame;
  }
  auto two = failure(decode_text(vsn::v2, R"(["1",2])"));
  EXPECT_EQ(two.join_ref.json(), R"("1")");
  EXPECT_EQ(two.ref.json(), "2");
  EXPECT_TRUE(two.topic.empty());
}

TEST(decode_v2_text, rejects_non_string_topic_keeping_refs) {
  for (std::string_view topic : {"3", "null", "{}", R"(["t"])"}) {
    auto f = failure(decode_text(vsn::v2, v2(R"("1")", R"("2")", topic, R"("e")", "{}")));
    EXPECT_EQ(f.code, errc::malformed_message) << topic;
    EXPECT_EQ(f.join_ref.json(), R"("1")") << topic;
    EXPECT_EQ(f.ref.json(), R"("2")") << topic;
    EXPECT_TRUE(f.topic.empty()) << topic;
  }
}

TEST(decode_v2_text, rejects_non_string_event_keeping_refs_and_topic) {
  for (std::string_view event : {"3", "null", "{}", "true"}) {
    auto f = failure(decode_text(vsn::v2, v2(R"("1")", "9", R"("room")", event, "{}")));
    EXPECT_EQ(f.code, errc::malformed_message) << event;
    EXPECT_EQ(f.join_ref.json(), R"("1")") << event;
    EXPECT_EQ(f.ref.json(), "9") << event;
    EXPECT_EQ(f.topic, "room") << event;
  }
}

TEST(decode_v2_text, rejects_256_byte_topic_without_salvaging_it) {
  auto topic = json_str(std::string(256, 't'));
  auto f = failure(decode_text(vsn::v2, v2(R"("1")", R"("2")", topic, R"("e")", "{}")));
  EXPECT_EQ(f.code, errc::field_too_long);
  EXPECT_EQ(f.join_ref.json(), R"("1")");
  EXPECT_EQ(f.ref.json(), R"("2")");
  EXPECT_TRUE(f.topic.empty());
}

TEST(decode_v2_text, rejects_256_byte_event_keeping_topic) {
  auto event = json_str(std::string(256, 'e'));
  auto f = failure(decode_text(vsn::v2, v2(R"("1")", R"("2")", R"("room")", event, "{}")));
  EXPECT_EQ(f.code, errc::field_too_long);
  EXPECT_EQ(f.topic, "room");
  EXPECT_EQ(f.ref.json(), R"("2")");
}

TEST(decode_v2_text, rejects_256_byte_ref_without_salvaging_it) {
  auto ref = json_str(std::string(256, 'r'));
  auto f = failure(decode_text(vsn::v2, v2(R"("1")", ref, R"("room")", R"("e")", "{}")));
  EXPECT_EQ(f.code, errc::field_too_long);
  EXPECT_TRUE(f.ref.is_null());
  EXPECT_EQ(f.join_ref.json(), R"("1")");
  EXPECT_EQ(f.topic, "room");
}

TEST(decode_v2_text, rejects_256_byte_join_ref_without_salvaging_it) {
  auto join_ref = json_str(std::string(256, 'j'));
  auto f = failure(decode_text(vsn::v2, v2(join_ref, R"("2")", R"("room")", R"("e")", "{}")));
  EXPECT_EQ(f.code, errc::field_too_long);
  EXPECT_TRUE(f.join_ref.is_null());
  EXPECT_EQ(f.ref.json(), R"("2")");
  EXPECT_EQ(f.topic, "room");
}

TEST(decode_v2_text, rejects_256_digit_numeric_ref) {
  // Refs are bounded to 255 bytes whatever their JSON type; a number's bytes
  // are its digits.
  std::string digits = "1" + std::string(255, '0');
  auto f = failure(decode_text(vsn::v2, v2("null", digits, R"("room")", R"("e")", "{}")));
  EXPECT_EQ(f.code, errc::field_too_long);
}

// ================================================================================
// vsn 1.0.0 text: {"topic","event","payload","ref"[,"join_ref"]}
// ================================================================================

TEST(decode_v1_text, reads_required_keys_and_leaves_absent_join_ref_null) {
  auto m = ok(decode_text(
    vsn::v1, R"({"topic":"realtime:room1","event":"phx_join","payload":{"a":1},"ref":"1"})"));
  EXPECT_EQ(m.topic, "realtime:room1");
  EXPECT_EQ(m.event, "phx_join");
  EXPECT_EQ(m.ref.json(), R"("1")");
  EXPECT_TRUE(m.join_ref.is_null());
  EXPECT_EQ(json_body(m).text, R"({"a":1})");
}

TEST(decode_v1_text, echoes_join_ref_when_present) {
  auto m = ok(decode_text(
    vsn::v1, R"({"topic":"t","event":"e","payload":{},"ref":"1","join_ref":"5"})"));
  EXPECT_EQ(m.join_ref.json(), R"("5")");
}

TEST(decode_v1_text, echoes_numeric_and_null_refs_verbatim) {
  auto numeric = ok(decode_text(vsn::v1, R"({"topic":"t","event":"e","payload":{},"ref":0})"));
  EXPECT_EQ(numeric.ref.json(), "0");
  auto null_ref = ok(decode_text(
    vsn::v1, R"({"topic":"t","event":"e","payload":{},"ref":null,"join_ref":null})"));
  EXPECT_TRUE(null_ref.ref.is_null());
  EXPECT_TRUE(null_ref.join_ref.is_null());
}

TEST(decode_v1_text, accepts_keys_in_any_order_and_keeps_payload_text) {
  std::string_view payload = R"({ "b" : 1.0 , "a" : "x" })";
  auto frame = std::string{R"({ "payload" : )"} + std::string{payload}
               + R"( , "ref":7, "event":"e", "unknown":[1], "topic":"t" })";
  auto m = ok(decode_text(vsn::v1, frame));
  EXPECT_EQ(m.topic, "t");
  EXPECT_EQ(m.event, "e");
  EXPECT_EQ(m.ref.json(), "7");
  EXPECT_EQ(json_body(m).text, payload);
  EXPECT_DOUBLE_EQ(json_body(m).value.at("b").as_double(), 1.0);
  EXPECT_EQ(json_body(m).value.at("a").as_string(), "x");
}

TEST(decode_v1_text, rejects_invalid_json) {
  auto f = failure(decode_text(vsn::v1, R"({"topic":"t",)"));
  EXPECT_EQ(f.code, errc::malformed_json);
}

TEST(decode_v1_text, rejects_json_that_is_not_an_object) {
  for (std::string_view frame : {R"(["1","2","t","e",{}])", R"("t")", "1", "null"}) {
    auto f = failure(decode_text(vsn::v1, frame));
    EXPECT_EQ(f.code, errc::malformed_message) << frame;
  }
}

TEST(decode_v1_text, rejects_missing_ref_salvaging_join_ref_and_topic) {
  auto f = failure(
    decode_text(vsn::v1, R"({"topic":"room","event":"e","payload":{},"join_ref":"4"})"));
  EXPECT_EQ(f.code, errc::malformed_message);
  EXPECT_EQ(f.topic, "room");
  EXPECT_EQ(f.join_ref.json(), R"("4")");
  EXPECT_TRUE(f.ref.is_null());
}

TEST(decode_v1_text, rejects_missing_payload_salvaging_ref_and_topic) {
  auto f = failure(decode_text(vsn::v1, R"({"topic":"room","event":"e","ref":"3"})"));
  EXPECT_EQ(f.code, errc::malformed_message);
  EXPECT_EQ(f.topic, "room");
  EXPECT_EQ(f.ref.json(), R"("3")");
}

TEST(decode_v1_text, rejects_missing_topic_salvaging_ref) {
  auto f = failure(decode_text(vsn::v1, R"({"event":"e","payload":{},"ref":"3"})"));
  EXPECT_EQ(f.code, errc::malformed_message);
  EXPECT_TRUE(f.topic.empty());
  EXPECT_EQ(f.ref.json(), R"("3")");
}

TEST(decode_v1_text, rejects_missing_event_salvaging_ref_and_topic) {
  auto f = failure(decode_text(vsn::v1, R"({"topic":"room","payload":{},"ref":"3"})"));
  EXPECT_EQ(f.code, errc::malformed_message);
  EXPECT_EQ(f.topic, "room");
  EXPECT_EQ(f.ref.json(), R"("3")");
}

TEST(decode_v1_text, rejects_non_string_topic_or_event) {
  auto topic = failure(decode_text(vsn::v1, R"({"topic":1,"event":"e","payload":{},"ref":"3"})"));
  EXPECT_EQ(topic.code, errc::malformed_message);
  EXPECT_EQ(topic.ref.json(), R"("3")");
  auto event = failure(decode_text(vsn::v1, R"({"topic":"t","event":[],"payload":{},"ref":"3"})"));
  EXPECT_EQ(event.code, errc::malformed_message);
  EXPECT_EQ(event.topic, "t");
}

TEST(decode_v1_text, rejects_duplicate_protocol_keys) {
  for (std::string_view frame : {
         R"({"topic":"a","topic":"b","event":"e","payload":{},"ref":"1"})",
         R"({"topic":"a","event":"e","event":"f","payload":{},"ref":"1"})",
         R"({"topic":"a","event":"e","payload":{"x":1},"payload":{"x":2},"ref":"1"})",
         R"({"topic":"a","event":"e","payload":{},"ref":"1","ref":"2"})",
         R"({"topic":"a","event":"e","payload":{},"ref":"1","join_ref":"1","join_ref":"2"})",
         // the same key spelled with an escape is still the same key
         R"({"topic":"a","event":"e","payload":{},"p\u0061yload":[],"ref":"1"})",
       }) {
    auto f = failure(decode_text(vsn::v1, frame));
    EXPECT_EQ(f.code, errc::malformed_message) << frame;
  }
}

TEST(decode_v1_text, allows_repeated_keys_inside_payload) {
  auto m = ok(decode_text(
    vsn::v1, R"({"topic":"t","event":"e","payload":{"ref":1,"topic":"x"},"ref":"1"})"));
  EXPECT_EQ(m.topic, "t");
  EXPECT_EQ(m.ref.json(), R"("1")");
  EXPECT_EQ(json_body(m).text, R"({"ref":1,"topic":"x"})");
}

TEST(decode_v1_text, rejects_256_byte_topic) {
  auto frame = R"({"topic":)" + json_str(std::string(256, 't'))
               + R"(,"event":"e","payload":{},"ref":"1"})";
  auto f = failure(decode_text(vsn::v1, frame));
  EXPECT_EQ(f.code, errc::field_too_long);
  EXPECT_TRUE(f.topic.empty());
  EXPECT_EQ(f.ref.json(), R"("1")");
}

// ================================================================================
// vsn 2.0.0 binary
// ================================================================================

TEST(decode_v2_binary, decodes_phoenix_push_fixture) {
  // phoenix:test/phoenix/socket/v2_json_serializer_test.exs
  auto frame = bin(0, 2, 3, 5, 5, "12", "123", "topic", "event", 101, 102, 103);
  auto m = ok(decode_binary(vsn::v2, frame));
  EXPECT_EQ(m.join_ref.text(), "12");
  EXPECT_EQ(m.join_ref.json(), R"("12")");
  EXPECT_EQ(m.ref.text(), "123");
  EXPECT_EQ(m.ref.json(), R"("123")");
  EXPECT_EQ(m.topic, "topic");
  EXPECT_EQ(m.event, "event");
  EXPECT_EQ(m.json(), nullptr);
  EXPECT_EQ(body_as<binary_payload>(m).bytes, "efg");
}

TEST(decode_v2_binary, push_with_empty_refs_has_null_refs) {
  auto m = ok(decode_binary(vsn::v2, bin(0, 0, 0, 1, 1, "t", "e")));
  EXPECT_TRUE(m.join_ref.is_null());
  EXPECT_TRUE(m.ref.is_null());
  EXPECT_EQ(body_as<binary_payload>(m).bytes, "");
}

TEST(decode_v2_binary, push_keeps_arbitrary_payload_bytes) {
  std::string payload("\x00\xff\x80\x01", 4);
  auto m = ok(decode_binary(vsn::v2, bin(0, 0, 1, 1, 1, "1", "t", "e") + payload));
  EXPECT_EQ(body_as<binary_payload>(m).bytes, payload);
}

TEST(decode_v2_binary, decodes_supabase_user_broadcast_doc_example) {
  // apps/docs/.../protocol.mdx: 0x03 0x02 0x01 0x12 0x0A 0x00 0x01 "10" "1"
  // "realtime:chat-room" "user-event" <json>
  std::string_view json = R"({"message":"hi", "n": 1.0})";
  auto frame = bin(0x03, 0x02, 0x01, 0x12, 0x0A, 0x00, 0x01, "10", "1", "realtime:chat-room",
                   "user-event", json);
  auto m = ok(decode_binary(vsn::v2, frame));
  EXPECT_EQ(m.join_ref.text(), "10");
  EXPECT_EQ(m.ref.text(), "1");
  EXPECT_EQ(m.topic, "realtime:chat-room");
  EXPECT_EQ(m.event, "broadcast");
  auto body = body_as<user_broadcast_payload>(m);
  EXPECT_EQ(body.user_event, "user-event");
  EXPECT_EQ(body.encoding, payload_encoding::json);
  EXPECT_EQ(body.bytes, json);
}

TEST(decode_v2_binary, user_broadcast_with_binary_encoding_keeps_raw_bytes) {
  std::string payload("\x00\xfe\xff{", 4);
  auto m = ok(decode_binary(vsn::v2, bin(3, 1, 1, 1, 2, 0, 0, "1", "2", "t", "ev") + payload));
  auto body = body_as<user_broadcast_payload>(m);
  EXPECT_EQ(body.encoding, payload_encoding::binary);
  EXPECT_EQ(body.user_event, "ev");
  EXPECT_EQ(body.bytes, payload);
}

TEST(decode_v2_binary, user_broadcast_ignores_metadata) {
  std::string_view meta = R"({"id":"abc"})";
  auto frame = bin(3, 1, 1, 1, 1, static_cast<int>(meta.size()), 1, "1", "2", "t", "e", meta,
                   R"({"x":1})");
  auto m = ok(decode_binary(vsn::v2, frame));
  auto body = body_as<user_broadcast_payload>(m);
  EXPECT_EQ(body.user_event, "e");
  EXPECT_EQ(body.bytes, R"({"x":1})");
}

TEST(decode_v2_binary, rejects_truncated_push_header) {
  for (auto frame : {bin(0), bin(0, 1), bin(0, 1, 1), bin(0, 1, 1, 1)}) {
    auto f = failure(decode_binary(vsn::v2, frame));
    EXPECT_EQ(f.code, errc::malformed_message) << frame.size();
  }
}

TEST(decode_v2_binary, rejects_truncated_push_fields) {
  // Sizes promise 2+3+5+5 field bytes; cut short inside each field.
  auto whole = bin(0, 2, 3, 5, 5, "12", "123", "topic", "event");
  for (std::size_t cut : {5u, 6u, 8u, 12u, 19u}) {
    auto f = failure(decode_binary(vsn::v2, whole.substr(0, cut)));
    EXPECT_EQ(f.code, errc::malformed_message) << cut;
  }
}

TEST(decode_v2_binary, rejects_truncated_user_broadcast_header_and_fields) {
  for (auto frame : {bin(3), bin(3, 1, 1, 1, 1), bin(3, 1, 1, 1, 1, 0),
                     bin(3, 1, 1, 1, 1, 0, 1, "1", "2", "t"),
                     bin(3, 1, 1, 1, 1, 4, 1, "1", "2", "t", "e", "{}")}) {
    auto f = failure(decode_binary(vsn::v2, frame));
    EXPECT_EQ(f.code, errc::malformed_message) << frame.size();
  }
}

TEST(decode_v2_binary, refuses_kinds_a_client_does_not_send) {
  for (auto frame : {bin(1, 2, 3, 5, 2, "12", "123", "topic", "ok", 101),
                     bin(2, 5, 5, "topic", "event", 101), bin(4, 1, 1, 0, 1, "t", "e", "{}"),
                     bin(255), bin(5, 0, 0, 0, 0), std::string{}}) {
    auto f = failure(decode_binary(vsn::v2, frame));
    EXPECT_EQ(f.code, errc::unknown_binary_kind) << frame.size();
  }
}

TEST(decode_v1_binary, refuses_any_binary_frame) {
  for (auto frame : {bin(0, 2, 3, 5, 5, "12", "123", "topic", "event", 101),
                     bin(3, 0, 0, 1, 1, 0, 1, "t", "e", "{}"), std::string{}}) {
    auto f = failure(decode_binary(vsn::v1, frame));
    EXPECT_EQ(f.code, errc::binary_not_supported) << frame.size();
  }
}

TEST(decode_v2_binary, rejects_unknown_payload_encoding_salvaging_refs_and_topic) {
  for (int encoding : {2, 0x7f, 255}) {
    auto frame = bin(3, 2, 1, 4, 1, 0, encoding, "10", "1", "room", "e", "{}");
    auto f = failure(decode_binary(vsn::v2, frame));
    EXPECT_EQ(f.code, errc::invalid_payload_encoding) << encoding;
    EXPECT_EQ(f.join_ref.text(), "10") << encoding;
    EXPECT_EQ(f.ref.text(), "1") << encoding;
    EXPECT_EQ(f.topic, "room") << encoding;
  }
}

TEST(decode_v2_binary, rejects_invalid_json_payload_with_json_encoding) {
  for (std::string_view payload : {"", "{", "{'a':1}", "[1,]", "\xff"}) {
    auto frame = bin(3, 2, 1, 4, 1, 0, 1, "10", "1", "room", "e", payload);
    auto f = failure(decode_binary(vsn::v2, frame));
    EXPECT_EQ(f.code, errc::malformed_json) << payload;
    EXPECT_EQ(f.join_ref.text(), "10") << payload;
    EXPECT_EQ(f.ref.text(), "1") << payload;
    EXPECT_EQ(f.topic, "room") << payload;
  }
}

TEST(decode_v2_binary, rejects_invalid_utf8_topic_keeping_refs) {
  std::string bad_topic("r\xc3(m", 4);
  auto push = failure(decode_binary(vsn::v2, bin(0, 1, 1, 4, 1, "7", "8", bad_topic, "e")));
  EXPECT_EQ(push.code, errc::malformed_message);
  EXPECT_TRUE(push.topic.empty());
  EXPECT_EQ(push.join_ref.text(), "7");
  EXPECT_EQ(push.ref.text(), "8");

  auto user = failure(
    decode_binary(vsn::v2, bin(3, 1, 1, 4, 1, 0, 1, "7", "8", bad_topic, "e", "{}")));
  EXPECT_EQ(user.code, errc::malformed_message);
  EXPECT_TRUE(user.topic.empty());
  EXPECT_EQ(user.ref.text(), "8");
}

TEST(decode_v2_binary, rejects_invalid_utf8_event_keeping_topic) {
  auto push = failure(decode_binary(vsn::v2, bin(0, 0, 1, 1, 1, "8", "t", "\xff")));
  EXPECT_EQ(push.code, errc::malformed_message);
  EXPECT_EQ(push.topic, "t");
  EXPECT_EQ(push.ref.text(), "8");

  auto user = failure(decode_binary(vsn::v2, bin(3, 0, 1, 1, 1, 0, 1, "8", "t", "\xff", "{}")));
  EXPECT_EQ(user.code, errc::malformed_message);
  EXPECT_EQ(user.topic, "t");
}
