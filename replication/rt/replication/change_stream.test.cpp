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

namespace {

// The ids of the inserts `payloads` produce, fed in order.
std::vector<std::string> inserted_ids(stream_fixture& f, const std::vector<std::string>& payloads) {
  std::vector<std::string> ids;
  for (const auto& p : payloads)
    for (const auto& c : f.feed(p).changes) {
      auto t = decode_row(c);
      auto id = t ? filter_value(c, *t, 0) : std::nullopt;
      ids.emplace_back(id && *id ? std::string{**id} : "?");
    }
  return ids;
}

using ids = std::vector<std::string>;

} // namespace

TEST_F(stream_fixture, a_transaction_cut_by_a_reconnect_resumes_after_the_rows_already_sent) {
  feed(relation());
  EXPECT_EQ(inserted_ids(*this, {begin(0x100), insert("1", "a"), insert("2", "b")}), (ids{"1", "2"}));
  // The connection drops; the next one sends the transaction again.
  stream.skip_through(stream.last_commit());
  EXPECT_EQ(inserted_ids(*this, {relation(), begin(0x100), insert("1", "a"), insert("2", "b"),
                                 insert("3", "c"), remove_row("4")}),
            (ids{"3", "4"}));
  EXPECT_EQ(feed(commit(0x100, 0x130)).committed, lsn{0x130});
  EXPECT_FALSE(stream.in_transaction());
  EXPECT_EQ(inserted_ids(*this, {begin(0x200), insert("5", "e")}), (ids{"5"}));
}

namespace {

// The positions of the changes `payloads` produce, fed in order.
std::vector<std::uint32_t> positions(stream_fixture& f, const std::vector<std::string>& payloads) {
  std::vector<std::uint32_t> out;
  for (const auto& p : payloads)
    for (const auto& c : f.feed(p).changes)
      out.push_back(c.position);
  return out;
}

using position_list = std::vector<std::uint32_t>;

} // namespace

TEST_F(stream_fixture, rows_keep_their_position_in_the_transaction_when_it_is_sent_again) {
  feed(relation());
  EXPECT_EQ(positions(*this, {begin(0x100), insert("1", "a"), insert("2", "b"), remove_row("3"),
                              commit(0x100, 0x130)}),
            (position_list{0, 1, 2}));
  // Cut after two rows, then sent whole: the rows handed on keep the
  // positions they have in the transaction, not among the rows handed on.
  EXPECT_EQ(positions(*this, {begin(0x200), insert("4", "d"), insert("5", "e")}),
            (position_list{0, 1}));
  stream.skip_through(stream.last_commit());
  EXPECT_EQ(positions(*this, {relation(), begin(0x200), insert("4", "d"), insert("5", "e"),
                              insert("6", "f"), remove_row("7"), commit(0x200, 0x230)}),
            (position_list{2, 3}));
  // A row of a relation not announced yet is not handed on but still counts.
  EXPECT_EQ(positions(*this, {begin(0x300), bytes_builder{}.ch('I').i32(relid + 1).ch('N').i16(0).str(),
                              insert("8", "h")}),
            (position_list{1}));
}

TEST_F(stream_fixture, a_shorter_second_attempt_does_not_forget_how_far_the_first_got) {
  feed(relation());
  EXPECT_EQ(inserted_ids(*this, {begin(0x100), insert("1", "a"), insert("2", "b"), insert("3", "c")}),
            (ids{"1", "2", "3"}));
  EXPECT_TRUE(inserted_ids(*this, {begin(0x100), insert("1", "a")}).empty());
  EXPECT_EQ(inserted_ids(*this, {begin(0x100), insert("1", "a"), insert("2", "b"), insert("3", "c"),
                                 insert("4", "d")}),
            (ids{"4"}));
}

TEST_F(stream_fixture, a_committed_transaction_sent_again_first_keeps_the_cut_ones_progress) {
  feed(relation());
  inserted_ids(*this, {begin(0x100), insert("1", "a"), commit(0x100, 0x130)});
  EXPECT_EQ(inserted_ids(*this, {begin(0x200), insert("2", "b")}), (ids{"2"}));
  // The confirmed position lagged: the new connection starts before 0x100.
  stream.skip_through(stream.last_commit());
  EXPECT_TRUE(inserted_ids(*this, {begin(0x100), insert("1", "a"), commit(0x100, 0x130)}).empty());
  EXPECT_EQ(inserted_ids(*this, {begin(0x200), insert("2", "b"), insert("3", "c")}), (ids{"3"}));
}

TEST_F(stream_fixture, a_cut_transaction_that_is_not_sent_again_holds_nothing_back) {
  feed(relation());
  inserted_ids(*this, {begin(0x100), insert("1", "a")});
  // A recreated slot starts later: the cut transaction never comes back.
  EXPECT_EQ(inserted_ids(*this, {begin(0x300), insert("1", "a"), insert("2", "b")}), (ids{"1", "2"}));
}

TEST_F(stream_fixture, data_is_built_only_for_the_relations_asked_for) {
  std::vector<std::uint32_t> asked;
  bool wanted = false;
  stream.build_data_for([&](std::uint32_t r) {
    asked.push_back(r);
    return wanted;
  });
  feed(relation());
  feed(begin(0x100));
  auto skipped = feed(insert("1", "x")).changes.at(0);
  EXPECT_EQ(skipped.data, nullptr);
  EXPECT_EQ(asked, (std::vector<std::uint32_t>{relid}));
  wanted = true;
  auto built = feed(insert("1", "x")).changes.at(0);
  ASSERT_NE(built.data, nullptr);
  // full_data builds what the stream would have built.
  auto t = decode_row(skipped);
  ASSERT_TRUE(t.has_value());
  auto late = full_data(skipped, *t, 1 << 20);
  ASSERT_NE(late, nullptr);
  EXPECT_EQ(*late, *built.data);
  EXPECT_EQ(full_data(built, *t, 1 << 20), built.data);
}
