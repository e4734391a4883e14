#include "rt/replication/change_batch_codec.hpp"

#include <random>

#include <gtest/gtest.h>

#include "rt/replication/change_router.hpp"
#include "rt/replication/message_row.hpp"
#include "rt/replication/test_bytes.hpp"

using namespace rt::replication;
using rt::replication::test::bytes_builder;

namespace {

constexpr std::uint32_t todos = 16400;
constexpr std::uint32_t events = 16410;
constexpr std::uint32_t logs = 16420;
constexpr std::uint32_t mood_oid = 16500;    // announced, used by todos
constexpr std::uint32_t unused_oid = 16501;  // announced, used by no column
constexpr std::uint32_t unknown_oid = 16502; // never announced
constexpr std::size_t max_record_bytes = 1 << 20;

// -- pgoutput messages --------------------------------------------------------

std::string type_message_of(std::uint32_t oid, std::string_view name) {
  return bytes_builder{}.ch('Y').i32(static_cast<std::int32_t>(oid)).cstr("public").cstr(name).str();
}

// todos (id int8 key, title text, mood, extra of a type never announced).
std::string todos_relation() {
  return bytes_builder{}
    .ch('R').i32(todos).cstr("public").cstr("todos").ch('d').i16(4)
    .u8(1).cstr("id").i32(20).i32(-1)
    .u8(0).cstr("title").i32(25).i32(-1)
    .u8(0).cstr("mood").i32(static_cast<std::int32_t>(mood_oid)).i32(-1)
    .u8(0).cstr("extra").i32(static_cast<std::int32_t>(unknown_oid)).i32(-1)
    .str();
}

// events (id int4 key, body text, doc jsonb) under REPLICA IDENTITY FULL.
std::string events_relation() {
  return bytes_builder{}
    .ch('R').i32(events).cstr("app").cstr("events").ch('f').i16(3)
    .u8(1).cstr("id").i32(23).i32(-1)
    .u8(1).cstr("body").i32(25).i32(-1)
    .u8(1).cstr("doc").i32(3802).i32(-1)
    .str();
}

// logs (line text), without a primary key.
std::string logs_relation() {
  return bytes_builder{}
    .ch('R').i32(logs).cstr("public").cstr("logs").ch('n').i16(1)
    .u8(0).cstr("line").i32(25).i32(-1)
    .str();
}

std::string begin(lsn final_lsn, std::int64_t time) {
  return bytes_builder{}.ch('B').u64(final_lsn).u64(static_cast<std::uint64_t>(time)).i32(700).str();
}

std::string commit(lsn commit_lsn, lsn end_lsn) {
  return bytes_builder{}.ch('C').u8(0).u64(commit_lsn).u64(end_lsn).u64(0).str();
}

// The transactions the batch is made of: every change kind and old-row
// kind, unchanged TOAST values, NULLs, three relations, and a relation
// announced again (a second snapshot of todos).
std::vector<std::string> stream_messages() {
  bytes_builder none;
  return {
    type_message_of(mood_oid, "mood"),
    type_message_of(unused_oid, "unused"),
    todos_relation(),
    events_relation(),
    logs_relation(),
    begin(0x100, 700000000000000),
    bytes_builder{}.ch('I').i32(todos).ch('N').i16(4)
      .text("1").text("buy milk").text("happy").text("x").str(),
    bytes_builder{}.ch('U').i32(todos).ch('K').i16(4).text("1").ch('n').ch('n').ch('n')
      .ch('N').i16(4).text("2").text("buy oat milk").ch('u').ch('n').str(),
    bytes_builder{}.ch('I').i32(events).ch('N').i16(3).text("7").text("hello").text(R"({"a": 1})").str(),
    bytes_builder{}.ch('U').i32(events).ch('O').i16(3).text("7").text("hello").text(R"({"a": 1})")
      .ch('N').i16(3).text("7").ch('u').text(R"({"a": 2})").str(),
    bytes_builder{}.ch('D').i32(events).ch('O').i16(3).text("7").text("hello").text(R"({"a": 2})").str(),
    bytes_builder{}.ch('D').i32(todos).ch('K').i16(4).text("2").ch('n').ch('n').ch('n').str(),
    bytes_builder{}.ch('I').i32(logs).ch('N').i16(1).text("line one").str(),
    commit(0x100, 0x130),
    todos_relation(),
    begin(0x200, 700000000500000),
    bytes_builder{}.ch('I').i32(todos).ch('N').i16(4)
      .text("3").text(std::string(200, 'z')).ch('n').text("y").str(),
    commit(0x200, 0x230),
  };
}

relation_facts facts_of(const relation_message& r) {
  if (r.relid == todos)
    return {{"id"}, {{"title", column_type{"citext", 25, 0}}}};
  if (r.relid == events)
    return {{"id"}, {}};
  return {};
}

// The changes a stream makes of stream_messages(); events get no data.
std::vector<row_change> streamed_changes() {
  change_stream stream{facts_of, max_record_bytes};
  stream.build_data_for([](std::uint32_t relid) { return relid != events; });
  std::vector<row_change> out;
  for (const auto& m : stream_messages()) {
    stream_output o;
    EXPECT_TRUE(stream.feed(m, o).has_value());
    for (auto& c : o.changes)
      out.push_back(std::move(c));
  }
  return out;
}

// -- comparisons --------------------------------------------------------------

void expect_same_snapshot(const relation_snapshot& a, const relation_snapshot& b) {
  EXPECT_EQ(a.relation.relid, b.relation.relid);
  EXPECT_EQ(a.relation.schema, b.relation.schema);
  EXPECT_EQ(a.relation.table, b.relation.table);
  EXPECT_EQ(a.relation.replica_identity, b.relation.replica_identity);
  ASSERT_EQ(a.relation.columns.size(), b.relation.columns.size());
  for (std::size_t i = 0; i < a.relation.columns.size(); ++i) {
    const auto& x = a.relation.columns[i];
    const auto& y = b.relation.columns[i];
    EXPECT_EQ(x.key, y.key);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.type_oid, y.type_oid);
    EXPECT_EQ(x.type_modifier, y.type_modifier);
    EXPECT_EQ(a.types.name(x.type_oid), b.types.name(y.type_oid));
    EXPECT_EQ(b.index_of(y.name), std::optional<std::size_t>{i});
  }
  EXPECT_EQ(b.index_of("no such column"), std::nullopt);
  EXPECT_EQ(a.primary_key, b.primary_key);
  ASSERT_EQ(a.column_types.size(), b.column_types.size());
  for (std::size_t i = 0; i < a.column_types.size(); ++i) {
    EXPECT_EQ(a.column_types[i].type_name, b.column_types[i].type_name);
    EXPECT_EQ(a.column_types[i].value_oid, b.column_types[i].value_oid);
    EXPECT_EQ(a.column_types[i].element_oid, b.column_types[i].element_oid);
  }
}

// The visibility masks a subscriber may have over `columns` columns.
std::vector<std::vector<bool>> masks(std::size_t columns) {
  std::vector<std::vector<bool>> out{{}};
  for (std::size_t i = 0; i < columns; ++i) {
    std::vector<bool> only(columns, false);
    only[i] = true;
    out.push_back(only);
  }
  return out;
}

void expect_same_reading(const row_change& a, const row_change& b) {
  auto ta = decode_row(a);
  auto tb = decode_row(b);
  ASSERT_TRUE(ta && tb);
  auto columns = a.relation->relation.columns.size();
  for (std::size_t i = 0; i < columns + 2; ++i)
    EXPECT_EQ(filter_value(a, *ta, i), filter_value(b, *tb, i)) << "column " << i;
  auto ka = key_of(a, *ta);
  auto kb = key_of(b, *tb);
  EXPECT_EQ(ka.columns, kb.columns);
  EXPECT_EQ(ka.values, kb.values);
  EXPECT_EQ(*full_data(a, *ta, max_record_bytes), *full_data(b, *tb, max_record_bytes));
  for (const auto& visible : masks(columns))
    for (bool key_only : {false, true})
      for (std::size_t limit : {max_record_bytes, std::size_t{16}})
        EXPECT_EQ(change_data(a, *ta, visible, limit, key_only),
                  change_data(b, *tb, visible, limit, key_only));
}

void expect_same_change(const row_change& a, const row_change& b) {
  ASSERT_NE(b.relation, nullptr);
  expect_same_snapshot(*a.relation, *b.relation);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.commit_time, b.commit_time);
  EXPECT_EQ(a.commit_lsn, b.commit_lsn);
  EXPECT_EQ(a.position, b.position);
  EXPECT_EQ(a.message, b.message);
  ASSERT_EQ(a.data == nullptr, b.data == nullptr);
  if (a.data) {
    EXPECT_EQ(*a.data, *b.data);
  }
  expect_same_reading(a, b);
}

// Routes on every relation, with a filter, selected columns and row level
// security, for comparing what routing makes of two changes.
change_router sample_router() {
  auto title_is_milk = compile_filter({"title", filter_op::eq, "buy milk", false}, {25, "C", {}},
                                      {"buy milk"});
  EXPECT_TRUE(title_is_milk.has_value());
  change_router r;
  r.add({1, 10, todos, 7, {{"title", *title_is_milk}}, nullptr});
  r.add({1, 11, todos, 7, {}, std::make_shared<const std::vector<std::string>>(
                                std::vector<std::string>{"title"})});
  r.add({2, 20, events, 7, {}, nullptr, true, true});
  r.add({3, 30, logs, 1, {}, nullptr});
  return r;
}

void expect_same_routes(const change_router& r, const row_change& a, const row_change& b) {
  auto ta = decode_row(a);
  auto tb = decode_row(b);
  ASSERT_TRUE(ta && tb);
  auto ma = r.match(a, *ta);
  auto mb = r.match(b, *tb);
  ASSERT_EQ(ma.size(), mb.size());
  for (std::size_t i = 0; i < ma.size(); ++i) {
    EXPECT_EQ(ma[i].subscriber, mb[i].subscriber);
    EXPECT_EQ(ma[i].ids, mb[i].ids);
    EXPECT_EQ(ma[i].old_key_only, mb[i].old_key_only);
    EXPECT_EQ(ma[i].check_visibility, mb[i].check_visibility);
    EXPECT_EQ(visible_mask(*a.relation, ma[i].columns), visible_mask(*b.relation, mb[i].columns));
  }
}

// Everything a receiving node may do with a change: none of it may crash,
// whatever the change holds.
void use_every_way(const row_change& c) {
  (void)read_message_row(c);
  (void)c.relation->index_of("id");
  auto t = decode_row(c);
  if (!t)
    return;
  for (std::size_t i = 0; i < c.relation->relation.columns.size() + 2; ++i)
    (void)filter_value(c, *t, i);
  (void)key_of(c, *t);
  (void)full_data(c, *t, 64);
  (void)change_data(c, *t, {true, false}, 64, true);
  static const auto router = sample_router();
  (void)router.match(c, *t);
}

// -- the format by hand -------------------------------------------------------

std::string le(std::uint64_t v, int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

std::string byte(unsigned v) { return std::string(1, static_cast<char>(v)); }

// A snapshot table of one relation, "s"."t" (id int8 key), relid 0x01020304.
std::string one_snapshot(std::uint32_t relid = 0x01020304) {
  return le(relid, 4) + byte(1) + "s" + byte(1) + "t" + "d" // relid, schema, table, identity
         + byte(1) + byte(1) + byte(2) + "id" + le(20, 4) + le(0xffffffff, 4) // 1 column
         + byte(1) + byte(1)                                                  // pk flags {1}
         + byte(0)                                                            // column types
         + byte(0);                                                           // type names
}

std::string insert_of_one(std::uint32_t relid = 0x01020304, char type = 'I') {
  return bytes_builder{}.ch(type).i32(static_cast<std::int32_t>(relid)).ch('N').i16(1).text("1").str();
}

struct change_fields {
  unsigned snapshot = 0;
  unsigned kind = 1;
  std::string position = byte(0xac) + byte(0x02); // 300
  std::string message = insert_of_one();
  unsigned has_data = 0;
};

std::string change_bytes(const change_fields& f = {}) {
  return byte(f.snapshot) + byte(f.kind) + le(5, 8) + le(0x10, 8) + f.position +
         byte(static_cast<unsigned>(f.message.size())) + f.message + byte(f.has_data);
}

std::string batch_of(const change_fields& f = {}) {
  return byte(1) + byte(1) + one_snapshot() + byte(1) + change_bytes(f);
}

errc error_of(std::string_view bytes) {
  auto decoded = decode_changes(bytes);
  EXPECT_FALSE(decoded.has_value());
  return decoded ? errc{} : decoded.error();
}

} // namespace

TEST(change_batch_codec, streamed_changes_decode_equal_in_every_field_and_reading) {
  auto changes = streamed_changes();
  ASSERT_EQ(changes.size(), 8u);
  auto decoded = decode_changes(encode_changes(changes));
  ASSERT_TRUE(decoded.has_value()) << to_string(decoded.error());
  ASSERT_EQ(decoded->size(), changes.size());
  auto router = sample_router();
  for (std::size_t i = 0; i < changes.size(); ++i) {
    SCOPED_TRACE(i);
    expect_same_change(changes[i], (*decoded)[i]);
    expect_same_routes(router, changes[i], (*decoded)[i]);
  }
}

TEST(change_batch_codec, changes_of_one_snapshot_share_it_again) {
  auto changes = streamed_changes();
  auto decoded = decode_changes(encode_changes(changes));
  ASSERT_TRUE(decoded.has_value());
  for (std::size_t i = 0; i < changes.size(); ++i)
    for (std::size_t j = 0; j < changes.size(); ++j)
      EXPECT_EQ(changes[i].relation == changes[j].relation,
                (*decoded)[i].relation == (*decoded)[j].relation)
        << i << " and " << j;
  // The two todos snapshots (before and after the second Relation message)
  // stay two.
  EXPECT_EQ((*decoded)[0].relation, (*decoded)[1].relation);
  EXPECT_NE((*decoded)[0].relation, (*decoded)[7].relation);
}

TEST(change_batch_codec, null_data_stays_null_and_positions_travel) {
  auto decoded = decode_changes(encode_changes(streamed_changes()));
  ASSERT_TRUE(decoded.has_value());
  std::vector<bool> has_data;
  std::vector<std::uint32_t> positions;
  for (const auto& c : *decoded) {
    has_data.push_back(c.data != nullptr);
    positions.push_back(c.position);
  }
  EXPECT_EQ(has_data, (std::vector<bool>{true, true, false, false, false, true, true, true}));
  EXPECT_EQ(positions, (std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6, 0}));
}

TEST(change_batch_codec, only_announced_names_of_the_relations_own_types_travel) {
  auto changes = streamed_changes();
  const auto& sent = changes[0].relation->types;
  ASSERT_NE(sent.announced(unused_oid), nullptr);
  auto decoded = decode_changes(encode_changes(changes));
  ASSERT_TRUE(decoded.has_value());
  const auto& types = (*decoded)[0].relation->types;
  ASSERT_NE(types.announced(mood_oid), nullptr);
  EXPECT_EQ(*types.announced(mood_oid), "mood");
  EXPECT_EQ(types.announced(unused_oid), nullptr);
  EXPECT_EQ(types.name(unknown_oid), "16502");
  EXPECT_EQ(types.name(20), "int8");
  // The stream's data names the columns' types as a decoded change's would.
  auto t = decode_row((*decoded)[0]);
  ASSERT_TRUE(t.has_value());
  auto data = change_data((*decoded)[0], *t, {}, max_record_bytes);
  EXPECT_NE(data.find(R"({"name":"mood","type":"mood"})"), std::string::npos);
  EXPECT_NE(data.find(R"({"name":"extra","type":"16502"})"), std::string::npos);
  EXPECT_EQ(data, *changes[0].data);
}

TEST(change_batch_codec, an_empty_batch_round_trips) {
  auto bytes = encode_changes({});
  EXPECT_EQ(bytes, byte(1) + byte(0) + byte(0));
  auto decoded = decode_changes(bytes);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_TRUE(decoded->empty());
}

TEST(change_batch_codec, the_format_byte_by_byte) {
  relation_message r;
  r.relid = 0x01020304;
  r.schema = "s";
  r.table = "t";
  r.columns = {{true, "id", 20, -1}};
  row_change c;
  c.relation = std::make_shared<const relation_snapshot>(r, type_names{}, std::vector<bool>{true});
  c.kind = change_kind::insert;
  c.commit_time = 5;
  c.commit_lsn = 0x10;
  c.position = 300;
  c.message = insert_of_one();
  EXPECT_EQ(encode_changes({c}), batch_of());
  auto decoded = decode_changes(batch_of());
  ASSERT_TRUE(decoded.has_value());
  ASSERT_EQ(decoded->size(), 1u);
  expect_same_change(c, decoded->front());
}

TEST(change_batch_codec, every_truncation_of_a_valid_batch_is_rejected) {
  auto bytes = encode_changes(streamed_changes());
  for (std::size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(decode_changes(std::string_view{bytes}.substr(0, n)).has_value()) << n;
  EXPECT_EQ(error_of(bytes + '\0'), errc::trailing_bytes);
}

TEST(change_batch_codec, values_out_of_range_are_malformed) {
  ASSERT_TRUE(decode_changes(batch_of()).has_value());
  EXPECT_EQ(error_of(byte(2) + batch_of().substr(1)), errc::malformed_batch); // version
  EXPECT_EQ(error_of(batch_of({.snapshot = 1})), errc::malformed_batch);
  EXPECT_EQ(error_of(batch_of({.kind = 3})), errc::malformed_batch);
  EXPECT_EQ(error_of(batch_of({.has_data = 2})), errc::malformed_batch);
  // 2^32, one past the largest position.
  EXPECT_EQ(error_of(batch_of({.position = byte(0x80) + byte(0x80) + byte(0x80) + byte(0x80) +
                                           byte(0x10)})),
            errc::malformed_batch);
  // A message of another kind or relation than the change says.
  EXPECT_EQ(error_of(batch_of({.message = insert_of_one(0x01020304, 'D')})), errc::malformed_batch);
  EXPECT_EQ(error_of(batch_of({.message = insert_of_one(7)})), errc::malformed_batch);
  EXPECT_EQ(error_of(batch_of({.message = "I"})), errc::malformed_batch);
  // A key flag other than 0 or 1.
  auto bad_key = batch_of();
  bad_key[2 + 4 + 2 + 2 + 1 + 1] = 2;
  EXPECT_EQ(error_of(bad_key), errc::malformed_batch);
  // A snapshot no change refers to.
  EXPECT_EQ(error_of(byte(1) + byte(2) + one_snapshot() + one_snapshot(9) + byte(1) + change_bytes()),
            errc::malformed_batch);
}

TEST(change_batch_codec, counts_larger_than_the_input_allocate_nothing) {
  // 2^63 snapshots, then a varint that runs past 64 bits.
  auto huge = byte(0x80) + byte(0x80) + byte(0x80) + byte(0x80) + byte(0x80) + byte(0x80) +
              byte(0x80) + byte(0x80) + byte(0x80) + byte(0x01);
  EXPECT_EQ(error_of(byte(1) + huge), errc::truncated);
  EXPECT_EQ(error_of(byte(1) + std::string(10, '\xff') + byte(0x01)), errc::malformed_batch);
  // A column count and a string length past the end.
  auto columns = batch_of();
  columns[2 + 4 + 2 + 2 + 1] = '\x7f';
  EXPECT_EQ(error_of(columns), errc::truncated);
  auto message = byte(1) + byte(1) + one_snapshot() + byte(1) + change_bytes().substr(0, 20) +
                 byte(0xff) + byte(0xff) + byte(0x7f);
  EXPECT_EQ(error_of(message), errc::truncated);
}

TEST(change_batch_codec, random_byte_flips_never_crash) {
  auto valid = encode_changes(streamed_changes());
  std::mt19937 random{20240611};
  std::uniform_int_distribution<std::size_t> at{0, valid.size() - 1};
  std::uniform_int_distribution<int> mask{1, 255};
  std::uniform_int_distribution<int> flips{1, 4};
  int accepted = 0;
  for (int round = 0; round < 4000; ++round) {
    auto bytes = valid;
    for (int n = flips(random); n > 0; --n)
      bytes[at(random)] ^= static_cast<char>(mask(random));
    auto decoded = decode_changes(bytes);
    if (!decoded)
      continue;
    ++accepted;
    for (const auto& c : *decoded)
      use_every_way(c);
  }
  // Flips inside texts and numbers keep a batch valid: the readers above
  // were run on many of them.
  EXPECT_GT(accepted, 100);
}
