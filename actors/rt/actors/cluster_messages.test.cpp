#define CAF_SUITE cluster_messages

#include "rt/actors/cluster_messages.hpp"

#include <caf/test/dsl.hpp>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include "rt/actors/remote_publish.hpp"

namespace {

// `x` written by CAF's binary serializer (as BASP does) and read back.
template <class T>
T round_trip(caf::actor_system& sys, T x) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  CAF_REQUIRE(!sink(x));
  T y;
  caf::binary_deserializer source{sys, buf};
  CAF_REQUIRE(!source(y));
  return y;
}

rt::pubsub::broadcast_message user_broadcast() {
  rt::pubsub::broadcast_message m;
  m.topic = "realtime:room";
  m.scope = rt::pubsub::topic_scope::private_topic;
  m.kind = rt::pubsub::message_kind::broadcast;
  m.user = rt::protocol::user_broadcast_payload{"shout", rt::protocol::payload_encoding::binary,
                                                std::string{"\x00\xff\x01", 3}};
  m.meta_json = R"({"id":"7"})";
  m.message_id = "7";
  return m;
}

struct fixture : test_coordinator_fixture<> {};

} // namespace

CAF_TEST_FIXTURE_SCOPE(cluster_messages_tests, fixture)

CAF_TEST(a broadcast crosses nodes unchanged) {
  auto original = user_broadcast();
  auto back = rt::actors::from_remote(round_trip(sys, rt::actors::to_remote(original)));
  CAF_REQUIRE(back.has_value());
  CAF_CHECK_EQUAL(back->topic, original.topic);
  CAF_CHECK(back->scope == original.scope);
  CAF_CHECK(back->kind == original.kind);
  CAF_CHECK(!back->binary.has_value());
  CAF_REQUIRE(back->user.has_value());
  CAF_CHECK_EQUAL(back->user->user_event, "shout");
  CAF_CHECK(back->user->encoding == rt::protocol::payload_encoding::binary);
  CAF_CHECK_EQUAL(back->user->bytes, original.user->bytes);
  CAF_CHECK_EQUAL(back->meta_json, original.meta_json);
  CAF_CHECK_EQUAL(back->message_id, "7");
}

CAF_TEST(a text broadcast with a binary payload keeps both) {
  rt::pubsub::broadcast_message m;
  m.topic = "realtime:t";
  m.event = "e";
  m.payload_json = R"({"a":1})";
  m.binary = std::string{"\x01\x02", 2};
  auto back = rt::actors::from_remote(round_trip(sys, rt::actors::to_remote(m)));
  CAF_REQUIRE(back.has_value());
  CAF_CHECK_EQUAL(back->payload_json, m.payload_json);
  CAF_REQUIRE(back->binary.has_value());
  CAF_CHECK_EQUAL(*back->binary, *m.binary);
  CAF_CHECK(!back->user.has_value());
}

CAF_TEST(a broadcast with an unknown scope kind or encoding is dropped) {
  for (int field = 0; field < 3; ++field) {
    auto r = rt::actors::to_remote(user_broadcast());
    (field == 0 ? r.scope : field == 1 ? r.kind : r.user_encoding) = 9;
    CAF_CHECK(!rt::actors::from_remote(std::move(r)).has_value());
  }
}

CAF_TEST(gossip and row change messages keep every field) {
  rt::actors::tracker_heartbeat hb{{"node-a", 42}, {}, true, "delta-bytes", "clock-bytes"};
  auto hb2 = round_trip(sys, hb);
  CAF_CHECK_EQUAL(hb2.from.node, "node-a");
  CAF_CHECK_EQUAL(hb2.from.vsn, 42u);
  CAF_CHECK(hb2.has_delta);
  CAF_CHECK_EQUAL(hb2.delta, "delta-bytes");
  CAF_CHECK_EQUAL(hb2.clocks, "clock-bytes");
  rt::actors::remote_changes rc{{}, std::string{"\x00\x01", 2}, true, 0x1234};
  auto rc2 = round_trip(sys, rc);
  CAF_CHECK_EQUAL(rc2.batch, rc.batch);
  CAF_CHECK(rc2.has_committed);
  CAF_CHECK_EQUAL(rc2.committed, 0x1234u);
  CAF_CHECK_EQUAL(round_trip(sys, rt::actors::changes_ack{77}).position, 77u);
  auto answer = round_trip(sys, rt::actors::tracker_transfer_answer{{"b", 1}, "payload"});
  CAF_CHECK_EQUAL(answer.payload, "payload");
}

CAF_TEST_FIXTURE_SCOPE_END()
