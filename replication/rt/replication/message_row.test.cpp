#include "rt/replication/message_row.hpp"

#include <gtest/gtest.h>

#include "rt/replication/test_bytes.hpp"

using namespace rt::replication;
using rt::replication::test::bytes_builder;

namespace {

constexpr std::uint32_t relid = 16500;

// realtime.messages with the columns a broadcast needs, in Supabase's order.
std::string relation(std::string_view table = "messages") {
  bytes_builder b;
  b.ch('R').i32(relid).cstr("realtime").cstr(table).ch('d').i16(7);
  b.u8(1).cstr("id").i32(2950).i32(-1);
  b.u8(0).cstr("topic").i32(25).i32(-1);
  b.u8(0).cstr("extension").i32(25).i32(-1);
  b.u8(0).cstr("payload").i32(3802).i32(-1);
  b.u8(0).cstr("binary_payload").i32(17).i32(-1);
  b.u8(0).cstr("event").i32(25).i32(-1);
  b.u8(0).cstr("private").i32(16).i32(-1);
  return b.str();
}

struct row {
  std::string_view extension = "broadcast";
  std::optional<std::string_view> payload = R"({"a": 1})";
  std::optional<std::string_view> binary;
  std::optional<std::string_view> event = "ev";
  std::string_view is_private = "t";
};

std::string insert(const row& r) {
  bytes_builder b;
  b.ch('I').i32(relid).ch('N').i16(7);
  b.text("4b5c6d7e-0000-4000-8000-000000000001").text("room").text(r.extension);
  auto opt = [&b](std::optional<std::string_view> v) {
    if (v)
      b.text(*v);
    else
      b.ch('n');
  };
  opt(r.payload);
  opt(r.binary);
  opt(r.event);
  b.text(r.is_private);
  return b.str();
}

struct message_row_fixture : ::testing::Test {
  // One transaction of one insert on a fresh stream.
  std::optional<message_row> read(const row& r, std::string_view table = "messages") {
    change_stream stream{[](const relation_message&) { return relation_facts{{"id"}, {}}; },
                         1 << 20};
    stream_output out;
    EXPECT_TRUE(stream.feed(relation(table), out));
    EXPECT_TRUE(stream.feed(bytes_builder{}.ch('B').u64(0x100).u64(0).i32(7).str(), out));
    EXPECT_TRUE(stream.feed(insert(r), out));
    EXPECT_EQ(out.changes.size(), 1u);
    if (out.changes.empty())
      return std::nullopt;
    return read_message_row(out.changes.front());
  }
};

} // namespace

TEST_F(message_row_fixture, reads_a_json_broadcast) {
  auto m = read(row{});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->id, "4b5c6d7e-0000-4000-8000-000000000001");
  EXPECT_EQ(m->topic, "room");
  EXPECT_EQ(m->event, "ev");
  EXPECT_TRUE(m->is_private);
  EXPECT_EQ(m->payload_json, R"({"a": 1})");
  EXPECT_FALSE(m->binary);
}

TEST_F(message_row_fixture, binary_payload_wins_and_is_decoded) {
  row r;
  r.binary = "\\x00ff10";
  r.is_private = "f";
  auto m = read(r);
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->binary);
  EXPECT_EQ(*m->binary, std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(m->is_private);
}

TEST_F(message_row_fixture, reads_rows_of_a_daily_partition) {
  EXPECT_TRUE(read(row{}, "messages_2026_12_06"));
}

TEST_F(message_row_fixture, other_rows_are_not_broadcasts) {
  row presence;
  presence.extension = "presence";
  EXPECT_FALSE(read(presence));
  row no_event;
  no_event.event = std::nullopt;
  EXPECT_FALSE(read(no_event));
  row no_payload;
  no_payload.payload = std::nullopt;
  EXPECT_FALSE(read(no_payload));
  row bad_hex;
  bad_hex.binary = "\\x0g";
  EXPECT_FALSE(read(bad_hex));
}

TEST(bytea_from_hex, decodes_and_refuses) {
  EXPECT_EQ(bytea_from_hex("\\x"), "");
  EXPECT_EQ(bytea_from_hex("\\xDEad"), std::string("\xde\xad", 2));
  EXPECT_FALSE(bytea_from_hex("\\xabc"));
  EXPECT_FALSE(bytea_from_hex("abcd"));
}

TEST(is_messages_relation, names_realtime_messages_and_its_partitions) {
  relation_message r;
  r.schema = "realtime";
  r.table = "messages";
  EXPECT_TRUE(is_messages_relation(r));
  r.table = "messages_2026_01_01";
  EXPECT_TRUE(is_messages_relation(r));
  r.table = "messagesx";
  EXPECT_FALSE(is_messages_relation(r));
  r.schema = "public";
  r.table = "messages";
  EXPECT_FALSE(is_messages_relation(r));
}
