#include "rt/pubsub/broadcast.hpp"

#include <gtest/gtest.h>

#include <memory>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

using rt::protocol::encode_broadcast;
using rt::protocol::opcode;
using rt::protocol::payload_encoding;
using rt::protocol::shared_frame;
using rt::protocol::user_broadcast_payload;
using rt::protocol::vsn;
using rt::pubsub::broadcast_message;
using rt::pubsub::dispatch;
using rt::pubsub::encoded_broadcast;
using rt::pubsub::subscriber_id;
using rt::pubsub::message_kind;
using rt::pubsub::read_grants;
using rt::pubsub::scoped_key;
using rt::pubsub::split_key;
using rt::pubsub::topic_scope;
using rt::pubsub::topic_registry;

namespace {

struct entry {
  subscriber_id id = 0;
  vsn version = vsn::v2;
  read_grants grants = {};
  std::shared_ptr<const rt::pubsub::message_ids> known = nullptr;
};

using registry = topic_registry<entry>;

constexpr std::string_view room = "realtime:room";

/// A registry with subscribers 1..n_v1 on vsn 1 and the next n_v2 on vsn 2,
/// all on `room`, plus one vsn 2 subscriber (id 99) on another topic.
registry make_registry(int n_v1, int n_v2) {
  registry r;
  subscriber_id id = 1;
  for (int i = 0; i < n_v1; ++i)
    r.subscribe(room, {id++, vsn::v1});
  for (int i = 0; i < n_v2; ++i)
    r.subscribe(room, {id++, vsn::v2});
  r.subscribe("realtime:other", {99, vsn::v2});
  return r;
}

broadcast_message text_broadcast() {
  broadcast_message m;
  m.topic = std::string{room};
  m.event = "new_msg";
  m.payload_json = R"({"body":"hi"})";
  return m;
}

broadcast_message user_broadcast(payload_encoding enc, std::string bytes) {
  broadcast_message m;
  m.topic = std::string{room};
  m.user = user_broadcast_payload{"message", enc, std::move(bytes)};
  return m;
}

/// Every delivery of one dispatch call.
struct recorder {
  std::map<subscriber_id, shared_frame> by_id;
  std::map<vsn, std::set<const void*>> distinct_frames;

  auto sink() {
    return [this](const entry& e, const shared_frame& f) {
      EXPECT_EQ(by_id.count(e.id), 0u) << "delivered twice to " << e.id;
      by_id[e.id] = f;
      distinct_frames[e.version].insert(f.get());
    };
  }
};

} // namespace

TEST(dispatch, encodes_once_per_version_and_shares_the_frame) {
  auto r = make_registry(2, 3);
  recorder rec;
  auto n = dispatch(r, text_broadcast(), std::nullopt, rec.sink());
  EXPECT_EQ(n, 5u);
  ASSERT_EQ(rec.by_id.size(), 5u);
  ASSERT_EQ(rec.distinct_frames[vsn::v1].size(), 1u);
  ASSERT_EQ(rec.distinct_frames[vsn::v2].size(), 1u);
  EXPECT_NE(*rec.distinct_frames[vsn::v1].begin(), *rec.distinct_frames[vsn::v2].begin());
  EXPECT_EQ(rec.by_id[1], rec.by_id[2]);
  EXPECT_EQ(rec.by_id[3], rec.by_id[5]);
}

TEST(dispatch, sends_each_version_its_own_encoding) {
  auto r = make_registry(1, 1);
  recorder rec;
  auto msg = text_broadcast();
  dispatch(r, msg, std::nullopt, rec.sink());
  ASSERT_EQ(rec.by_id.size(), 2u);
  EXPECT_EQ(rec.by_id[1]->payload(),
            encode_broadcast(vsn::v1, room, msg.event, msg.payload_json)->payload());
  EXPECT_EQ(rec.by_id[2]->payload(), R"([null,null,"realtime:room","new_msg",{"body":"hi"}])");
}

TEST(dispatch, skips_the_excluded_sender) {
  auto r = make_registry(1, 3);
  recorder rec;
  auto n = dispatch(r, text_broadcast(), subscriber_id{3}, rec.sink());
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(rec.by_id.count(3), 0u);
  EXPECT_EQ(rec.by_id.count(1), 1u);
  EXPECT_EQ(rec.by_id.count(2), 1u);
  EXPECT_EQ(rec.by_id.count(4), 1u);
}

TEST(dispatch, excluding_a_non_subscriber_changes_nothing) {
  auto r = make_registry(1, 1);
  recorder rec;
  EXPECT_EQ(dispatch(r, text_broadcast(), subscriber_id{99}, rec.sink()), 2u);
}

TEST(dispatch, reaches_only_subscribers_of_the_topic) {
  auto r = make_registry(1, 1);
  recorder rec;
  dispatch(r, text_broadcast(), std::nullopt, rec.sink());
  EXPECT_EQ(rec.by_id.count(99), 0u);
}

TEST(dispatch, returns_zero_for_a_topic_without_subscribers) {
  auto r = make_registry(1, 1);
  auto msg = text_broadcast();
  msg.topic = "realtime:nobody";
  int calls = 0;
  auto n = dispatch(r, msg, std::nullopt, [&](const entry&, const shared_frame&) { ++calls; });
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(calls, 0);

  registry empty;
  EXPECT_EQ(dispatch(empty, msg, std::nullopt, [&](const entry&, const shared_frame&) { ++calls; }),
            0u);
  EXPECT_EQ(calls, 0);
}

TEST(dispatch, skips_v1_subscribers_for_binary_user_broadcasts) {
  auto r = make_registry(2, 2);
  recorder rec;
  auto n = dispatch(r, user_broadcast(payload_encoding::binary, std::string("\x00\x01", 2)),
                    std::nullopt, rec.sink());
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(rec.by_id.count(1), 0u);
  EXPECT_EQ(rec.by_id.count(2), 0u);
  ASSERT_EQ(rec.by_id.count(3), 1u);
  EXPECT_EQ(rec.by_id[3]->op(), opcode::binary);
  EXPECT_EQ(rec.by_id[3], rec.by_id[4]);
}

TEST(dispatch, json_user_broadcast_is_kind_4_on_v2_and_text_on_v1) {
  auto r = make_registry(1, 1);
  recorder rec;
  EXPECT_EQ(dispatch(r, user_broadcast(payload_encoding::json, R"({"a":1})"), std::nullopt,
                     rec.sink()),
            2u);
  ASSERT_EQ(rec.by_id.size(), 2u);
  EXPECT_EQ(rec.by_id[1]->op(), opcode::text);
  EXPECT_EQ(rec.by_id[1]->payload(),
            R"({"topic":"realtime:room","event":"broadcast","payload":{"event":"message",)"
            R"("payload":{"a":1},"type":"broadcast"},"ref":null})");
  EXPECT_EQ(rec.by_id[2]->op(), opcode::binary);
  EXPECT_EQ(rec.by_id[2]->payload().substr(0, 1), "\x04");
}

TEST(dispatch, binary_user_broadcast_nobody_can_receive_delivers_nothing) {
  registry r;
  std::string topic(256, 't');
  r.subscribe(topic, {1, vsn::v1});
  r.subscribe(topic, {2, vsn::v2});
  auto msg = user_broadcast(payload_encoding::binary, "\x01");
  msg.topic = topic;
  int calls = 0;
  EXPECT_EQ(dispatch(r, msg, std::nullopt, [&](const entry&, const shared_frame&) { ++calls; }),
            0u);
  EXPECT_EQ(calls, 0);
}

TEST(encoded_broadcast, returns_the_same_frame_on_every_call) {
  auto msg = text_broadcast();
  encoded_broadcast enc{msg};
  auto first = enc.frame(vsn::v2);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(enc.frame(vsn::v2), first);
  EXPECT_NE(enc.frame(vsn::v1), first);
}

TEST(encoded_broadcast, has_no_v1_frame_for_binary_user_payloads) {
  auto msg = user_broadcast(payload_encoding::binary, "\x01");
  encoded_broadcast enc{msg};
  EXPECT_EQ(enc.frame(vsn::v1), nullptr);
  EXPECT_EQ(enc.frame(vsn::v1), nullptr);
  EXPECT_NE(enc.frame(vsn::v2), nullptr);
}

TEST(dispatch, keeps_private_and_public_topics_apart) {
  registry r;
  r.subscribe(room, {1, vsn::v2});
  r.subscribe(scoped_key(topic_scope::private_topic, room), {2, vsn::v2});
  recorder to_public;
  EXPECT_EQ(dispatch(r, text_broadcast(), std::nullopt, to_public.sink()), 1u);
  EXPECT_EQ(to_public.by_id.count(1), 1u);
  auto msg = text_broadcast();
  msg.scope = topic_scope::private_topic;
  recorder to_private;
  EXPECT_EQ(dispatch(r, msg, std::nullopt, to_private.sink()), 1u);
  EXPECT_EQ(to_private.by_id.count(2), 1u);
  // The frame names the topic as the client joined it.
  EXPECT_EQ(to_private.by_id[2]->payload(), R"([null,null,"realtime:room","new_msg",{"body":"hi"}])");
}

TEST(dispatch, skips_subscribers_without_read_permission_for_the_kind) {
  registry r;
  r.subscribe(room, {1, vsn::v2, read_grants{true, false}});
  r.subscribe(room, {2, vsn::v2, read_grants{false, true}});
  recorder broadcasts;
  EXPECT_EQ(dispatch(r, text_broadcast(), std::nullopt, broadcasts.sink()), 1u);
  EXPECT_EQ(broadcasts.by_id.count(1), 1u);
  auto diff = text_broadcast();
  diff.kind = message_kind::presence;
  recorder diffs;
  EXPECT_EQ(dispatch(r, diff, std::nullopt, diffs.sink()), 1u);
  EXPECT_EQ(diffs.by_id.count(2), 1u);
}

TEST(topic_scope, private_keys_never_equal_a_public_topic) {
  auto key = scoped_key(topic_scope::private_topic, room);
  EXPECT_NE(key, room);
  EXPECT_EQ(scoped_key(topic_scope::public_topic, room), room);
  auto split = split_key(key);
  EXPECT_EQ(split.scope, topic_scope::private_topic);
  EXPECT_EQ(split.topic, room);
  EXPECT_EQ(split_key(room).scope, topic_scope::public_topic);
  EXPECT_EQ(split_key(room).topic, room);
}

TEST(dispatch, skips_a_stored_message_the_subscriber_has_had) {
  registry r;
  auto known = std::make_shared<const rt::pubsub::message_ids>(rt::pubsub::message_ids{"m1"});
  r.subscribe(room, {1, vsn::v2, {}, known});
  r.subscribe(room, {2, vsn::v2});
  auto msg = text_broadcast();
  msg.message_id = "m1";
  recorder rec;
  EXPECT_EQ(dispatch(r, msg, std::nullopt, rec.sink()), 1u);
  EXPECT_EQ(rec.by_id.count(2), 1u);
  msg.message_id = "m2";
  recorder other;
  EXPECT_EQ(dispatch(r, msg, std::nullopt, other.sink()), 2u);
}
