#include "rt/replication/change_stream.hpp"

#include <gtest/gtest.h>

#include "rt/replication/test_bytes.hpp"

using namespace rt::replication;
using rt::replication::test::bytes_builder;

namespace {

constexpr std::uint32_t relid = 16400;

std::string relation() {
  return bytes_builder{}
    .ch('R').i32(relid).cstr("public").cstr("todos").ch('d').i16(2)
    .u8(1).cstr("id").i32(20).i32(-1)
    .u8(0).cstr("title").i32(25).i32(-1)
    .str();
}

std::string begin(lsn final_lsn) {
  return bytes_builder{}.ch('B').u64(final_lsn).u64(0).i32(700).str();
}

std::string commit(lsn commit_lsn, lsn end_lsn) {
  return bytes_builder{}.ch('C').u8(0).u64(commit_lsn).u64(end_lsn).u64(0).str();
}

std::string insert(std::string_view id, std::string_view title) {
  return bytes_builder{}.ch('I').i32(relid).ch('N').i16(2).text(id).text(title).str();
}

std::string remove_row(std::string_view id) {
  return bytes_builder{}.ch('D').i32(relid).ch('K').i16(2).text(id).ch('n').str();
}

struct stream_fixture : ::testing::Test {
  int lookups = 0;
  change_stream stream{[this](const relation_message&) {
                         ++lookups;
                         return relation_facts{{"id"}, {{"title", column_type{"citext", 25, 0}}}};
                       },
                       1 << 20};

  stream_output feed(const std::string& payload) {
    stream_output out;
    auto r = stream.feed(payload, out);
    EXPECT_TRUE(r.has_value());
    return out;
  }
};

} // namespace

TEST_F(stream_fixture, a_transaction_yields_its_changes_then_the_position_to_confirm) {
  feed(relation());
  EXPECT_EQ(lookups, 1);
  EXPECT_TRUE(feed(begin(0x100)).changes.empty());
  EXPECT_TRUE(stream.in_transaction());
  auto row = feed(insert("1", "buy milk"));
  ASSERT_EQ(row.changes.size(), 1u);
  EXPECT_FALSE(row.committed);
  const auto& c = row.changes[0];
  EXPECT_EQ(c.kind, change_kind::insert);
  EXPECT_EQ(c.commit_lsn, 0x100u);
  EXPECT_NE(c.data->find(R"("record":{"id":1,"title":"buy milk"})"), std::string::npos);
  // The catalog's type name wins over the stream's OID.
  EXPECT_NE(c.data->find(R"({"name":"title","type":"citext"})"), std::string::npos);
  auto end = feed(commit(0x100, 0x130));
  EXPECT_TRUE(end.changes.empty());
  EXPECT_EQ(end.committed, lsn{0x130});
  EXPECT_FALSE(stream.in_transaction());
  EXPECT_EQ(stream.last_commit(), 0x100u);
}

TEST_F(stream_fixture, a_change_keeps_its_bytes_and_decodes_again_on_any_thread) {
  feed(relation());
  feed(begin(0x100));
  auto out = feed(remove_row("9"));
  ASSERT_EQ(out.changes.size(), 1u);
  auto tuples = decode_row(out.changes[0]);
  ASSERT_TRUE(tuples.has_value());
  EXPECT_EQ(filter_value(out.changes[0], *tuples, 0), std::optional<std::optional<std::string_view>>{"9"});
  // A delete under the default identity carries no title: not available.
  EXPECT_FALSE(filter_value(out.changes[0], *tuples, 1).has_value());
  EXPECT_EQ(out.changes[0].relation->index_of("title"), std::optional<std::size_t>{1});
}

TEST_F(stream_fixture, transactions_already_handled_are_skipped_when_sent_again) {
  feed(relation());
  stream.skip_through(0x200);
  feed(begin(0x200));
  EXPECT_TRUE(feed(insert("1", "old")).changes.empty());
  EXPECT_EQ(feed(commit(0x200, 0x230)).committed, lsn{0x230});
  feed(begin(0x300));
  EXPECT_EQ(feed(insert("2", "new")).changes.size(), 1u);
}

TEST_F(stream_fixture, a_change_to_an_unannounced_relation_is_not_sent) {
  feed(begin(0x100));
  EXPECT_TRUE(feed(insert("1", "x")).changes.empty());
}

TEST_F(stream_fixture, a_new_relation_message_replaces_the_snapshot_changes_refer_to) {
  feed(relation());
  feed(begin(0x100));
  auto first = feed(insert("1", "a")).changes.at(0).relation;
  feed(relation());
  auto second = feed(insert("2", "b")).changes.at(0).relation;
  EXPECT_NE(first, second);
  EXPECT_EQ(lookups, 2);
}

TEST_F(stream_fixture, restricted_data_leaves_out_invisible_columns) {
  feed(relation());
  feed(begin(0x100));
  auto c = feed(insert("5", "hidden")).changes.at(0);
  auto t = decode_row(c);
  ASSERT_TRUE(t.has_value());
  auto data = change_data(c, *t, {true, false}, 1 << 20);
  EXPECT_NE(data.find(R"("record":{"id":5})"), std::string::npos);
  EXPECT_EQ(data.find("hidden"), std::string::npos);
}

TEST_F(stream_fixture, a_malformed_message_is_an_error) {
  stream_output out;
  EXPECT_FALSE(stream.feed("I", out).has_value());
}
