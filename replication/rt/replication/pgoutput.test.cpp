#include "rt/replication/pgoutput.hpp"

#include <gtest/gtest.h>

#include "rt/replication/test_bytes.hpp"

using namespace rt::replication;
using rt::replication::test::bytes_builder;

namespace {

template <class T>
const T& body_of(const expected<pgoutput_message>& decoded) {
  EXPECT_TRUE(decoded) << (decoded ? "" : to_string(decoded.error()));
  return std::get<T>(decoded->body);
}

// R for public.items (id int8 key, name text, doc jsonb), identity default.
std::string items_relation(bytes_builder b = {}) {
  return b.cstr("public").cstr("items").ch('d').i16(3)
    .u8(1).cstr("id").i32(20).i32(-1)
    .u8(0).cstr("name").i32(25).i32(-1)
    .u8(0).cstr("doc").i32(3802).i32(-1)
    .str();
}

} // namespace

TEST(pgoutput, decodes_begin_and_commit) {
  auto begin = decode_pgoutput(bytes_builder{}.ch('B').u64(0x16B37A0).u64(123456).i32(750).str(), false);
  auto& b = body_of<begin_message>(begin);
  EXPECT_EQ(b.final_lsn, 0x16B37A0u);
  EXPECT_EQ(b.commit_time, 123456);
  EXPECT_EQ(b.xid, 750u);
  auto commit = decode_pgoutput(bytes_builder{}.ch('C').u8(0).u64(0x16B37A0).u64(0x16B37D0).u64(123456).str(), false);
  auto& c = body_of<commit_message>(commit);
  EXPECT_EQ(c.commit_lsn, 0x16B37A0u);
  EXPECT_EQ(c.end_lsn, 0x16B37D0u);
  EXPECT_EQ(c.commit_time, 123456);
  EXPECT_FALSE(begin->stream_xid);
}

TEST(pgoutput, decodes_a_relation_with_key_flags_and_types) {
  auto msg = items_relation(bytes_builder{}.ch('R').i32(16385));
  auto decoded = decode_pgoutput(msg, false);
  auto& r = body_of<relation_message>(decoded);
  EXPECT_EQ(r.relid, 16385u);
  EXPECT_EQ(r.schema, "public");
  EXPECT_EQ(r.table, "items");
  EXPECT_EQ(r.replica_identity, 'd');
  ASSERT_EQ(r.columns.size(), 3u);
  EXPECT_TRUE(r.columns[0].key);
  EXPECT_EQ(r.columns[0].name, "id");
  EXPECT_EQ(r.columns[0].type_oid, 20u);
  EXPECT_FALSE(r.columns[1].key);
  EXPECT_EQ(r.columns[2].type_oid, 3802u);
  EXPECT_EQ(r.columns[2].type_modifier, -1);
}

TEST(pgoutput, decodes_an_insert_with_every_column_kind) {
  auto msg = bytes_builder{}.ch('I').i32(16385).ch('N').i16(4)
               .text("1").ch('n').ch('u').ch('b').i32(2).raw("\x01\x02").str();
  auto decoded = decode_pgoutput(msg, false);
  auto& ins = body_of<insert_message>(decoded);
  EXPECT_EQ(ins.relid, 16385u);
  ASSERT_EQ(ins.new_tuple.size(), 4u);
  EXPECT_EQ(ins.new_tuple[0].kind, column_kind::text);
  EXPECT_EQ(ins.new_tuple[0].bytes, "1");
  EXPECT_EQ(ins.new_tuple[1].kind, column_kind::null);
  EXPECT_EQ(ins.new_tuple[2].kind, column_kind::unchanged_toast);
  EXPECT_TRUE(ins.new_tuple[2].bytes.empty());
  EXPECT_EQ(ins.new_tuple[3].kind, column_kind::binary);
  EXPECT_EQ(ins.new_tuple[3].bytes, std::string_view("\x01\x02", 2));
}

TEST(pgoutput, decodes_updates_with_and_without_an_old_tuple) {
  auto plain = decode_pgoutput(bytes_builder{}.ch('U').i32(7).ch('N').i16(1).text("b").str(), false);
  auto& u1 = body_of<update_message>(plain);
  EXPECT_FALSE(u1.old_kind);
  EXPECT_TRUE(u1.old_tuple.empty());
  ASSERT_EQ(u1.new_tuple.size(), 1u);

  // Values are views into the payload: it must outlive the decoded message.
  auto keyed_bytes =
    bytes_builder{}.ch('U').i32(7).ch('K').i16(2).text("1").ch('n').ch('N').i16(2).text("2").text("x").str();
  auto keyed = decode_pgoutput(keyed_bytes, false);
  auto& u2 = body_of<update_message>(keyed);
  EXPECT_EQ(u2.old_kind, 'K');
  ASSERT_EQ(u2.old_tuple.size(), 2u);
  EXPECT_EQ(u2.old_tuple[0].bytes, "1");
  EXPECT_EQ(u2.new_tuple[0].bytes, "2");

  auto full = decode_pgoutput(
    bytes_builder{}.ch('U').i32(7).ch('O').i16(1).text("old").ch('N').i16(1).text("new").str(), false);
  EXPECT_EQ(body_of<update_message>(full).old_kind, 'O');
}

TEST(pgoutput, decodes_deletes_and_refuses_a_delete_without_old_row) {
  auto del_bytes = bytes_builder{}.ch('D').i32(7).ch('K').i16(1).text("1").str();
  auto del = decode_pgoutput(del_bytes, false);
  auto& d = body_of<delete_message>(del);
  EXPECT_EQ(d.old_kind, 'K');
  EXPECT_EQ(d.old_tuple[0].bytes, "1");
  auto bad = decode_pgoutput(bytes_builder{}.ch('D').i32(7).ch('N').i16(1).text("1").str(), false);
  EXPECT_EQ(bad.error(), errc::unexpected_tuple_marker);
}

TEST(pgoutput, decodes_truncate_type_origin_and_logical_messages) {
  auto trunc = decode_pgoutput(bytes_builder{}.ch('T').i32(2).u8(1).i32(10).i32(11).str(), false);
  auto& t = body_of<truncate_message>(trunc);
  EXPECT_EQ(t.options, 1u);
  EXPECT_EQ(t.relids, (std::vector<std::uint32_t>{10, 11}));

  auto type = decode_pgoutput(bytes_builder{}.ch('Y').i32(16400).cstr("public").cstr("mood").str(), false);
  EXPECT_EQ(body_of<type_message>(type).name, "mood");

  auto origin = decode_pgoutput(bytes_builder{}.ch('O').u64(99).cstr("node_a").str(), false);
  EXPECT_EQ(body_of<origin_message>(origin).name, "node_a");

  auto message_bytes = bytes_builder{}.ch('M').u8(1).u64(5).cstr("app").i32(3).raw("hey").str();
  auto message = decode_pgoutput(message_bytes, false);
  auto& m = body_of<logical_message>(message);
  EXPECT_TRUE(m.transactional);
  EXPECT_EQ(m.prefix, "app");
  EXPECT_EQ(m.content, "hey");
}

TEST(pgoutput, stream_messages_and_the_xid_of_streamed_changes) {
  auto start = decode_pgoutput(bytes_builder{}.ch('S').i32(900).u8(1).str(), false);
  EXPECT_TRUE(body_of<stream_start_message>(start).first_segment);
  auto insert = decode_pgoutput(bytes_builder{}.ch('I').i32(900).i32(7).ch('N').i16(1).text("a").str(), true);
  ASSERT_TRUE(insert);
  EXPECT_EQ(insert->stream_xid, 900u);
  EXPECT_EQ(body_of<insert_message>(insert).relid, 7u);
  auto stop = decode_pgoutput("E", true);
  EXPECT_TRUE(std::holds_alternative<stream_stop_message>(stop->body));
  auto commit = decode_pgoutput(bytes_builder{}.ch('c').i32(900).u8(0).u64(1).u64(2).u64(3).str(), false);
  EXPECT_EQ(body_of<stream_commit_message>(commit).end_lsn, 2u);
  auto abort = decode_pgoutput(bytes_builder{}.ch('A').i32(900).i32(901).str(), false);
  EXPECT_EQ(body_of<stream_abort_message>(abort).subxid, 901u);
}

TEST(pgoutput, every_prefix_of_a_valid_message_is_refused_without_crashing) {
  std::vector<std::string> messages = {
    items_relation(bytes_builder{}.ch('R').i32(16385)),
    bytes_builder{}.ch('U').i32(7).ch('K').i16(2).text("1").ch('n').ch('N').i16(2).text("2").text("x").str(),
    bytes_builder{}.ch('T').i32(2).u8(1).i32(10).i32(11).str(),
    bytes_builder{}.ch('M').u8(1).u64(5).cstr("app").i32(3).raw("hey").str(),
    bytes_builder{}.ch('B').u64(1).u64(2).i32(3).str(),
  };
  for (const auto& full : messages) {
    ASSERT_TRUE(decode_pgoutput(full, false));
    for (std::size_t n = 0; n < full.size(); ++n) {
      auto decoded = decode_pgoutput(std::string_view{full}.substr(0, n), false);
      EXPECT_FALSE(decoded) << "prefix of " << n << " bytes of a '" << full[0] << "' message";
    }
    EXPECT_EQ(decode_pgoutput(full + "x", false).error(), errc::trailing_bytes);
  }
}

TEST(pgoutput, refuses_bad_kinds_negative_lengths_and_oversized_counts) {
  EXPECT_EQ(decode_pgoutput(bytes_builder{}.ch('I').i32(7).ch('N').i16(1).ch('z').str(), false).error(),
            errc::unknown_column_kind);
  EXPECT_EQ(decode_pgoutput(bytes_builder{}.ch('I').i32(7).ch('N').i16(-1).str(), false).error(),
            errc::negative_length);
  EXPECT_EQ(decode_pgoutput(bytes_builder{}.ch('I').i32(7).ch('N').i16(1).ch('t').i32(-5).str(), false).error(),
            errc::negative_length);
  EXPECT_EQ(decode_pgoutput(bytes_builder{}.ch('T').i32(1 << 30).u8(0).i32(1).str(), false).error(),
            errc::truncated);
  EXPECT_EQ(decode_pgoutput("Q", false).error(), errc::unknown_message);
}

TEST(relation_cache, a_new_relation_message_replaces_the_old_one) {
  relation_cache cache;
  EXPECT_EQ(cache.find(16385), nullptr);
  auto first = decode_pgoutput(items_relation(bytes_builder{}.ch('R').i32(16385)), false);
  cache.put(std::get<relation_message>(first->body));
  ASSERT_NE(cache.find(16385), nullptr);
  EXPECT_EQ(cache.find(16385)->columns.size(), 3u);
  auto altered = decode_pgoutput(
    bytes_builder{}.ch('R').i32(16385).cstr("public").cstr("items").ch('f').i16(1).u8(1).cstr("id").i32(20).i32(-1).str(),
    false);
  cache.put(std::get<relation_message>(altered->body));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.find(16385)->replica_identity, 'f');
  EXPECT_EQ(cache.find(16385)->columns.size(), 1u);
}
