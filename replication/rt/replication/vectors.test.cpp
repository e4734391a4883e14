// The decoders against pgoutput messages captured from PostgreSQL 15
// (tests/vectors, made by tests/vectors/capture.sh; see its README.md).
// Relids, xids, LSNs and commit times differ between captures, so they are
// compared with each other, never with constants.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "rt/replication/change_payload.hpp"
#include "rt/replication/pgoutput.hpp"
#include "rt/replication/type_names.hpp"

#ifndef RT_VECTORS_DIR
#error "RT_VECTORS_DIR must name tests/vectors"
#endif

using namespace rt::replication;

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

// One vector file, decoded in order. Decoded messages are views into `raw`,
// so a capture is built in place and never moved.
struct capture {
  std::vector<std::string> raw;
  std::vector<pgoutput_message> decoded;
  std::string kinds; ///< the type byte of each message
  std::string problem; ///< the first thing wrong with the file, empty if none

  explicit capture(const std::string& name) {
    std::ifstream in{std::string{RT_VECTORS_DIR} + "/" + name + ".hex"};
    if (!in) {
      problem = "cannot read " + name + ".hex";
      return;
    }
    for (std::string line; std::getline(in, line);) {
      std::string bytes;
      for (std::size_t i = 0; i + 1 < line.size(); i += 2) {
        int hi = hex_digit(line[i]);
        int lo = hex_digit(line[i + 1]);
        if (hi < 0 || lo < 0)
          break;
        bytes.push_back(static_cast<char>(hi * 16 + lo));
      }
      if (line.empty() || bytes.size() * 2 != line.size()) {
        problem = name + ".hex line " + std::to_string(raw.size() + 1) + " is not lowercase hex";
        return;
      }
      raw.push_back(std::move(bytes));
    }
    // Changes between Stream Start and Stream Stop carry an xid.
    bool in_stream = false;
    for (const auto& bytes : raw) {
      auto m = decode_pgoutput(bytes, in_stream);
      if (!m) {
        problem = name + " message " + std::to_string(decoded.size()) + " ('" + bytes[0] +
                  "'): " + std::string{to_string(m.error())};
        return;
      }
      kinds.push_back(bytes[0]);
      if (bytes[0] == 'S')
        in_stream = true;
      else if (bytes[0] == 'E')
        in_stream = false;
      decoded.push_back(std::move(*m));
    }
  }
  capture(const capture&) = delete;
  capture& operator=(const capture&) = delete;

  template <class T>
  const T& at(std::size_t i) const {
    return std::get<T>(decoded.at(i).body);
  }
  template <class T>
  std::vector<const T*> all() const {
    std::vector<const T*> out;
    for (const auto& m : decoded)
      if (const auto* body = std::get_if<T>(&m.body))
        out.push_back(body);
    return out;
  }
};

const capture& load(const std::string& name) {
  static std::map<std::string, std::unique_ptr<capture>> cache;
  auto& slot = cache[name];
  if (!slot)
    slot = std::make_unique<capture>(name);
  EXPECT_EQ(slot->problem, "");
  return *slot;
}

// Catalog primary keys by table, for tables whose identity flags are not it
// (REPLICA IDENTITY FULL flags every column).
using primary_keys = std::map<std::string, std::vector<bool>>;

// The change payloads of a capture without streamed transactions, in order,
// as a consumer that keeps a relation cache and type names builds them.
std::vector<std::string> payloads_of(const capture& c, const primary_keys& keys = {}) {
  relation_cache relations;
  type_names types;
  std::int64_t commit_time = 0;
  std::vector<std::string> out;
  auto context = [&](std::uint32_t relid) {
    change_context ctx;
    ctx.relation = relations.find(relid);
    ctx.types = &types;
    ctx.commit_time = commit_time;
    EXPECT_NE(ctx.relation, nullptr) << "a change of relation " << relid << " before its Relation";
    if (ctx.relation != nullptr)
      if (auto it = keys.find(ctx.relation->table); it != keys.end())
        ctx.primary_key = it->second;
    return ctx;
  };
  for (const auto& m : c.decoded) {
    if (const auto* b = std::get_if<begin_message>(&m.body))
      commit_time = b->commit_time;
    else if (const auto* r = std::get_if<relation_message>(&m.body))
      relations.put(*r);
    else if (const auto* t = std::get_if<type_message>(&m.body))
      types.put(*t);
    else if (const auto* i = std::get_if<insert_message>(&m.body)) {
      auto ctx = context(i->relid);
      if (ctx.relation != nullptr)
        out.push_back(change_payload(ctx, *i));
    } else if (const auto* u = std::get_if<update_message>(&m.body)) {
      auto ctx = context(u->relid);
      if (ctx.relation != nullptr)
        out.push_back(change_payload(ctx, *u));
    } else if (const auto* d = std::get_if<delete_message>(&m.body)) {
      auto ctx = context(d->relid);
      if (ctx.relation != nullptr)
        out.push_back(change_payload(ctx, *d));
    }
  }
  return out;
}

// {"schema":"public","table":..,"commit_timestamp":..,"type":..,"columns":..
std::string head(std::string_view table, std::int64_t commit_time, std::string_view type,
                 std::string_view columns) {
  return std::string{R"({"schema":"public","table":")"} + std::string{table} +
         R"(","commit_timestamp":")" + format_commit_timestamp(commit_time) + R"(","type":")" +
         std::string{type} + R"(","columns":)" + std::string{columns};
}

std::string no_primary_key(std::string_view table, std::string_view type) {
  std::string records = type == "INSERT"   ? R"("record":{})"
                        : type == "UPDATE" ? R"("record":{},"old_record":{})"
                                           : R"("old_record":{})";
  return std::string{R"({"schema":"public","table":")"} + std::string{table} +
         R"(","commit_timestamp":null,"type":")" + std::string{type} +
         R"(","columns":[],)" + records +
         R"(,"errors":["Error 400: Bad Request, no primary key"]})";
}

std::vector<std::int64_t> commit_times(const capture& c) {
  std::vector<std::int64_t> out;
  for (const auto* b : c.all<begin_message>())
    out.push_back(b->commit_time);
  return out;
}

std::string tuple_kinds(const tuple_data& tuple) {
  std::string out;
  for (const auto& v : tuple)
    out.push_back(static_cast<char>(v.kind));
  return out;
}

constexpr std::string_view all_types_columns =
  R"([{"name":"id","type":"int8"},{"name":"name","type":"text"},)"
  R"({"name":"price","type":"numeric"},{"name":"created_at","type":"timestamptz"},)"
  R"({"name":"day","type":"date"},{"name":"active","type":"bool"},)"
  R"({"name":"doc","type":"jsonb"},{"name":"raw","type":"bytea"},)"
  R"({"name":"scores","type":"_int4"},{"name":"tags","type":"_text"}])";

} // namespace

TEST(Vectors, every_captured_message_decodes_whole) {
  std::map<std::string, std::size_t> counts = {
    {"identity_default", 14}, {"identity_full", 7}, {"toast_default", 10}, {"toast_full", 7},
    {"key_change", 13},       {"no_primary_key", 12}, {"types", 11},       {"truncate", 11},
    {"messages", 13},         {"edges", 11},
  };
  for (const auto& [name, count] : counts) {
    const auto& c = load(name);
    EXPECT_EQ(c.decoded.size(), count) << name;
    // Begin and Commit of one transaction agree on its commit.
    const begin_message* open = nullptr;
    for (const auto& m : c.decoded) {
      if (const auto* b = std::get_if<begin_message>(&m.body)) {
        EXPECT_EQ(open, nullptr) << name << ": Begin inside a transaction";
        open = b;
      } else if (const auto* e = std::get_if<commit_message>(&m.body)) {
        ASSERT_NE(open, nullptr) << name << ": Commit without Begin";
        EXPECT_EQ(e->commit_lsn, open->final_lsn) << name;
        EXPECT_EQ(e->commit_time, open->commit_time) << name;
        EXPECT_GT(e->end_lsn, e->commit_lsn) << name;
        EXPECT_EQ(e->flags, 0u) << name;
        open = nullptr;
      }
      EXPECT_FALSE(m.stream_xid) << name;
    }
    EXPECT_EQ(open, nullptr) << name << ": unfinished transaction";
  }
  EXPECT_GT(load("stream").decoded.size(), 5000u);
}

TEST(Vectors, identity_default_relation_and_message_sequence) {
  const auto& c = load("identity_default");
  EXPECT_EQ(c.kinds, "BRIICBUCBDCBUC");
  const auto& r = c.at<relation_message>(1);
  EXPECT_EQ(r.schema, "public");
  EXPECT_EQ(r.table, "all_types");
  EXPECT_EQ(r.replica_identity, 'd');
  std::vector<std::string> names;
  std::vector<std::uint32_t> oids;
  for (const auto& col : r.columns) {
    names.push_back(col.name);
    oids.push_back(col.type_oid);
    EXPECT_EQ(col.key, col.name == "id") << col.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"id", "name", "price", "created_at", "day", "active",
                                             "doc", "raw", "scores", "tags"}));
  EXPECT_EQ(oids, (std::vector<std::uint32_t>{20, 25, 1700, 1184, 1082, 16, 3802, 17, 1007, 1009}));
  // numeric(10, 3): (precision << 16 | scale) + VARHDRSZ.
  EXPECT_EQ(r.columns[2].type_modifier, (10 << 16 | 3) + 4);
  EXPECT_EQ(r.columns[0].type_modifier, -1);

  for (auto i : {2u, 3u})
    EXPECT_EQ(c.at<insert_message>(i).relid, r.relid);
  EXPECT_EQ(tuple_kinds(c.at<insert_message>(2).new_tuple), "tttttttttt");
  EXPECT_EQ(tuple_kinds(c.at<insert_message>(3).new_tuple), "tnnnnnnnnn");
  const auto& update = c.at<update_message>(6);
  EXPECT_FALSE(update.old_kind);
  EXPECT_TRUE(update.old_tuple.empty());
  const auto& del = c.at<delete_message>(9);
  EXPECT_EQ(del.old_kind, 'K');
  EXPECT_EQ(tuple_kinds(del.old_tuple), "tnnnnnnnnn");
}

TEST(Vectors, identity_default_payloads) {
  const auto& c = load("identity_default");
  auto payloads = payloads_of(c);
  auto times = commit_times(c);
  ASSERT_EQ(payloads.size(), 5u);
  ASSERT_EQ(times.size(), 4u);
  EXPECT_EQ(payloads[0],
            head("all_types", times[0], "INSERT", all_types_columns) +
              R"(,"record":{"id":1,"name":"Zoë \"quoted\" \\ back\nslash","price":12345.678,)"
              R"("created_at":"2024-02-29T11:45:06.789012+00:00","day":"2024-02-29","active":true,)"
              R"("doc":{"a": "x", "b": [1, 2.50, null]},"raw":"deadbeef","scores":[1,-2,3],)"
              R"("tags":["plain","with space","quote\"d",null]},"errors":null})");
  EXPECT_EQ(payloads[1],
            head("all_types", times[0], "INSERT", all_types_columns) +
              R"(,"record":{"id":2,"name":null,"price":null,"created_at":null,"day":null,)"
              R"("active":null,"doc":null,"raw":null,"scores":null,"tags":null},"errors":null})");
  EXPECT_EQ(payloads[2],
            head("all_types", times[1], "UPDATE", all_types_columns) +
              R"(,"record":{"id":1,"name":"renamed","price":-0.500,)"
              R"("created_at":"2024-02-29T11:45:06.789012+00:00","day":"2024-02-29","active":false,)"
              R"("doc":{"a": "x", "b": [1, 2.50, null]},"raw":"deadbeef","scores":[[1,2],[3,4]],)"
              R"("tags":[]},"old_record":{"id":1},"errors":null})");
  EXPECT_EQ(payloads[3], head("all_types", times[2], "DELETE", all_types_columns) +
                           R"(,"old_record":{"id":2},"errors":null})");
  EXPECT_NE(payloads[4].find(R"("active":false,"doc":[],"raw":"","scores")"), std::string::npos)
    << payloads[4];
  EXPECT_NE(times[0], times[3]);
}

TEST(Vectors, identity_full_sends_and_uses_the_whole_old_row) {
  const auto& c = load("identity_full");
  EXPECT_EQ(c.kinds, "BRUCBDC");
  const auto& r = c.at<relation_message>(1);
  EXPECT_EQ(r.table, "all_types");
  EXPECT_EQ(r.replica_identity, 'f');
  ASSERT_EQ(r.columns.size(), 10u);
  for (const auto& col : r.columns)
    EXPECT_TRUE(col.key) << col.name << ": FULL flags every column";
  const auto& update = c.at<update_message>(2);
  EXPECT_EQ(update.old_kind, 'O');
  EXPECT_EQ(tuple_kinds(update.old_tuple), "tttttttttt");
  EXPECT_EQ(update.old_tuple[1].bytes, "seeded");
  EXPECT_EQ(update.new_tuple[1].bytes, "updated");
  EXPECT_EQ(c.at<delete_message>(5).old_kind, 'O');

  auto payloads = payloads_of(c, {{"all_types", {true, false, false, false, false, false, false,
                                                  false, false, false}}});
  auto times = commit_times(c);
  ASSERT_EQ(payloads.size(), 2u);
  std::string seeded =
    R"({"id":10,"name":"seeded","price":2.500,"created_at":"2023-06-01T08:00:00+00:00",)"
    R"("day":"2023-06-01","active":true,"doc":{"seeded": true},"raw":"00","scores":[10],)"
    R"("tags":["seed"]})";
  std::string updated =
    R"({"id":10,"name":"updated","price":2.500,"created_at":"2023-06-01T08:00:00+00:00",)"
    R"("day":"2023-06-01","active":false,"doc":{"seeded": true},"raw":"00","scores":[10],)"
    R"("tags":["seed"]})";
  EXPECT_EQ(payloads[0], head("all_types", times[0], "UPDATE", all_types_columns) +
                           R"(,"record":)" + updated + R"(,"old_record":)" + seeded +
                           R"(,"errors":null})");
  EXPECT_EQ(payloads[1], head("all_types", times[1], "DELETE", all_types_columns) +
                           R"(,"old_record":)" + updated + R"(,"errors":null})");
}

namespace {

// The 20,000-character value of toast_*.body: md5(1) || md5(2) || ... md5(625).
std::string toast_body() {
  const auto& c = load("toast_default");
  auto inserts = c.all<insert_message>();
  if (inserts.empty() || inserts[0]->new_tuple.size() != 3)
    return {};
  return std::string{inserts[0]->new_tuple[2].bytes};
}

} // namespace

TEST(Vectors, toast_value_is_the_captured_20000_characters) {
  auto body = toast_body();
  ASSERT_EQ(body.size(), 20000u);
  EXPECT_EQ(body.substr(0, 64), "c4ca4238a0b923820dcc509a6f75849b" // md5('1')
                                "c81e728d9d4c2f636f067f89cc14862c"); // md5('2')
  EXPECT_EQ(body.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(Vectors, toast_under_default_identity_is_unchanged_and_left_out) {
  const auto& c = load("toast_default");
  EXPECT_EQ(c.kinds, "BRICBUCBDC");
  EXPECT_EQ(c.at<relation_message>(1).replica_identity, 'd');
  EXPECT_EQ(tuple_kinds(c.at<insert_message>(2).new_tuple), "ttt");
  const auto& update = c.at<update_message>(5);
  EXPECT_FALSE(update.old_kind);
  EXPECT_EQ(tuple_kinds(update.new_tuple), "ttu");
  EXPECT_TRUE(update.new_tuple[2].bytes.empty());
  EXPECT_EQ(tuple_kinds(c.at<delete_message>(8).old_tuple), "tnn");

  auto payloads = payloads_of(c);
  auto times = commit_times(c);
  ASSERT_EQ(payloads.size(), 3u);
  constexpr std::string_view columns =
    R"([{"name":"id","type":"int8"},{"name":"note","type":"text"},{"name":"body","type":"text"}])";
  EXPECT_EQ(payloads[0], head("toast_default", times[0], "INSERT", columns) +
                           R"(,"record":{"id":1,"note":"first","body":")" + toast_body() +
                           R"("},"errors":null})");
  EXPECT_EQ(payloads[1], head("toast_default", times[1], "UPDATE", columns) +
                           R"(,"record":{"id":1,"note":"second"},"old_record":{"id":1},"errors":null})");
  EXPECT_EQ(payloads[2], head("toast_default", times[2], "DELETE", columns) +
                           R"(,"old_record":{"id":1},"errors":null})");
}

TEST(Vectors, toast_under_full_identity_is_filled_from_the_old_row) {
  const auto& c = load("toast_full");
  EXPECT_EQ(c.kinds, "BRUCBDC");
  EXPECT_EQ(c.at<relation_message>(1).replica_identity, 'f');
  const auto& update = c.at<update_message>(2);
  EXPECT_EQ(update.old_kind, 'O');
  EXPECT_EQ(tuple_kinds(update.old_tuple), "ttt");
  EXPECT_EQ(update.old_tuple[2].bytes, toast_body());
  EXPECT_EQ(tuple_kinds(update.new_tuple), "ttu");
  const auto& del = c.at<delete_message>(5);
  EXPECT_EQ(del.old_kind, 'O');
  EXPECT_EQ(del.old_tuple[2].bytes, toast_body());

  auto payloads = payloads_of(c, {{"toast_full", {true, false, false}}});
  auto times = commit_times(c);
  ASSERT_EQ(payloads.size(), 2u);
  constexpr std::string_view columns =
    R"([{"name":"id","type":"int8"},{"name":"note","type":"text"},{"name":"body","type":"text"}])";
  auto body = toast_body();
  EXPECT_EQ(payloads[0], head("toast_full", times[0], "UPDATE", columns) +
                           R"(,"record":{"id":1,"note":"updated","body":")" + body +
                           R"("},"old_record":{"id":1,"note":"seeded","body":")" + body +
                           R"("},"errors":null})");
  EXPECT_EQ(payloads[1], head("toast_full", times[1], "DELETE", columns) +
                           R"(,"old_record":{"id":1,"note":"updated","body":")" + body +
                           R"("},"errors":null})");
}

TEST(Vectors, key_change_sends_the_old_key_tuple) {
  const auto& c = load("key_change");
  EXPECT_EQ(c.kinds, "BRICBUCBUCBDC");
  const auto& r = c.at<relation_message>(1);
  ASSERT_EQ(r.columns.size(), 3u);
  EXPECT_FALSE(r.columns[0].key);
  EXPECT_TRUE(r.columns[1].key);
  EXPECT_TRUE(r.columns[2].key);
  const auto& moved = c.at<update_message>(5);
  EXPECT_EQ(moved.old_kind, 'K');
  EXPECT_EQ(tuple_kinds(moved.old_tuple), "ntt");
  EXPECT_EQ(moved.old_tuple[2].bytes, "1");
  EXPECT_EQ(moved.new_tuple[2].bytes, "2");
  EXPECT_FALSE(c.at<update_message>(8).old_kind);

  auto payloads = payloads_of(c);
  auto times = commit_times(c);
  ASSERT_EQ(payloads.size(), 4u);
  constexpr std::string_view columns =
    R"([{"name":"label","type":"text"},{"name":"tenant","type":"int4"},{"name":"id","type":"int8"}])";
  EXPECT_EQ(payloads[0], head("pairs", times[0], "INSERT", columns) +
                           R"(,"record":{"label":"first","tenant":1,"id":1},"errors":null})");
  EXPECT_EQ(payloads[1], head("pairs", times[1], "UPDATE", columns) +
                           R"(,"record":{"label":"first","tenant":1,"id":2},)"
                           R"("old_record":{"tenant":1,"id":1},"errors":null})");
  EXPECT_EQ(payloads[2], head("pairs", times[2], "UPDATE", columns) +
                           R"(,"record":{"label":"relabelled","tenant":1,"id":2},)"
                           R"("old_record":{"tenant":1,"id":2},"errors":null})");
  EXPECT_EQ(payloads[3], head("pairs", times[3], "DELETE", columns) +
                           R"(,"old_record":{"tenant":1,"id":2},"errors":null})");
}

TEST(Vectors, tables_without_primary_key_get_the_400_shape) {
  const auto& c = load("no_primary_key");
  EXPECT_EQ(c.kinds, "BRIRICBUCBDC");
  const auto& nokey = c.at<relation_message>(1);
  EXPECT_EQ(nokey.table, "nokey");
  EXPECT_EQ(nokey.replica_identity, 'd');
  for (const auto& col : nokey.columns)
    EXPECT_FALSE(col.key) << col.name;
  const auto& full = c.at<relation_message>(3);
  EXPECT_EQ(full.table, "nokey_full");
  EXPECT_EQ(full.replica_identity, 'f');
  for (const auto& col : full.columns)
    EXPECT_TRUE(col.key) << col.name;
  EXPECT_EQ(c.at<update_message>(7).old_kind, 'O');
  EXPECT_EQ(c.at<delete_message>(10).old_kind, 'O');

  // nokey has no key columns at all; nokey_full's catalog has no primary key
  // although its identity flags every column.
  auto payloads = payloads_of(c, {{"nokey_full", {false, false}}});
  ASSERT_EQ(payloads.size(), 4u);
  EXPECT_EQ(payloads[0], no_primary_key("nokey", "INSERT"));
  EXPECT_EQ(payloads[1], no_primary_key("nokey_full", "INSERT"));
  EXPECT_EQ(payloads[2], no_primary_key("nokey_full", "UPDATE"));
  EXPECT_EQ(payloads[3], no_primary_key("nokey_full", "DELETE"));
}

TEST(Vectors, type_messages_name_enum_domain_and_array_columns) {
  const auto& c = load("types");
  EXPECT_EQ(c.kinds, "BYYYYRICBUC");
  const auto& r = c.at<relation_message>(5);
  ASSERT_EQ(r.columns.size(), 5u);
  std::map<std::string, const type_message*> by_column;
  for (std::size_t i = 1; i <= 4; ++i) {
    const auto& t = c.at<type_message>(i);
    for (const auto& col : r.columns)
      if (col.type_oid == t.oid)
        by_column[col.name] = &t;
  }
  ASSERT_EQ(by_column.size(), 4u);
  EXPECT_EQ(by_column["feeling"]->schema, "public");
  EXPECT_EQ(by_column["feeling"]->name, "mood");
  EXPECT_EQ(by_column["history"]->name, "_mood");
  EXPECT_EQ(by_column["state"]->schema, "app");
  EXPECT_EQ(by_column["state"]->name, "status");
  // A domain is announced with its own OID but its base type's name, and
  // pg_catalog is sent as an empty schema.
  EXPECT_EQ(by_column["contact"]->schema, "");
  EXPECT_EQ(by_column["contact"]->name, "text");
  EXPECT_GE(by_column["contact"]->oid, 16384u);

  auto payloads = payloads_of(c);
  auto times = commit_times(c);
  ASSERT_EQ(payloads.size(), 2u);
  constexpr std::string_view columns =
    R"([{"name":"id","type":"int8"},{"name":"feeling","type":"mood"},)"
    R"({"name":"contact","type":"text"},{"name":"history","type":"_mood"},)"
    R"({"name":"state","type":"status"}])";
  // Arrays of types that are not built in stay text: value_json knows
  // element types by OID only.
  EXPECT_EQ(payloads[0], head("moods", times[0], "INSERT", columns) +
                           R"(,"record":{"id":1,"feeling":"happy","contact":"a@example.com",)"
                           R"("history":"{sad,ok}","state":"open"},"errors":null})");
  EXPECT_EQ(payloads[1], head("moods", times[1], "UPDATE", columns) +
                           R"(,"record":{"id":1,"feeling":"ok","contact":"a@example.com",)"
                           R"("history":"{sad,ok}","state":"closed"},"old_record":{"id":1},"errors":null})");
}

TEST(Vectors, truncate_lists_relations_and_options) {
  const auto& c = load("truncate");
  EXPECT_EQ(c.kinds, "BRTCBRIRRTC");
  const auto& a = c.at<relation_message>(1);
  EXPECT_EQ(a.table, "trunc_a");
  const auto& first = c.at<truncate_message>(2);
  EXPECT_EQ(first.options, 0u);
  EXPECT_EQ(first.relids, std::vector<std::uint32_t>{a.relid});
  EXPECT_EQ(c.at<insert_message>(6).new_tuple[1].bytes, "z");
  const auto& b = c.at<relation_message>(8);
  EXPECT_EQ(b.table, "trunc_b");
  const auto& both = c.at<truncate_message>(9);
  EXPECT_EQ(both.options, 3u); // CASCADE | RESTART IDENTITY
  EXPECT_EQ(both.relids, (std::vector<std::uint32_t>{a.relid, b.relid}));
  // The truncate announced trunc_a again: the cache keeps one entry per relid.
  relation_cache cache;
  for (const auto* r : c.all<relation_message>())
    cache.put(*r);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(Vectors, logical_messages_in_and_outside_transactions) {
  const auto& c = load("messages");
  EXPECT_EQ(c.kinds, "BMRIMCMBICBMC");
  const auto& first = c.at<logical_message>(1);
  EXPECT_TRUE(first.transactional);
  EXPECT_EQ(first.prefix, "vectors");
  EXPECT_EQ(first.content, "first");
  const auto& binary = c.at<logical_message>(4);
  EXPECT_TRUE(binary.transactional);
  EXPECT_EQ(binary.prefix, "vectors/bin");
  EXPECT_EQ(binary.content, std::string_view("\x00\xff\n", 3));
  EXPECT_GT(binary.at, first.at);
  EXPECT_LE(binary.at, c.at<commit_message>(5).commit_lsn);
  // Sent at once, ahead of the Begin of the transaction that emitted it.
  const auto& at_once = c.at<logical_message>(6);
  EXPECT_FALSE(at_once.transactional);
  EXPECT_EQ(at_once.content, "sent at once");
  EXPECT_EQ(c.at<insert_message>(8).new_tuple[1].bytes, "with an untransactional message");
  const auto& alone = c.at<logical_message>(11);
  EXPECT_TRUE(alone.transactional);
  EXPECT_EQ(alone.prefix, "only");
  EXPECT_EQ(alone.content, "");
}

TEST(Vectors, stream_accounts_for_every_row_of_the_streamed_transaction) {
  const auto& c = load("stream");
  // Rows by top-level transaction, then by the (sub)transaction that wrote them.
  std::map<std::uint32_t, std::map<std::uint32_t, std::vector<std::int64_t>>> pending;
  std::map<std::uint32_t, int> segments;
  std::vector<std::int64_t> committed;
  std::set<std::int64_t> dropped;
  std::vector<std::uint32_t> stream_commits;
  std::vector<std::uint32_t> stream_aborts;
  std::optional<std::uint32_t> open; // the xid of the open Stream Start
  relation_cache relations;
  std::size_t plain_inserts = 0;
  auto row_id = [](const insert_message& m) { return std::stoll(std::string{m.new_tuple.at(0).bytes}); };
  for (std::size_t i = 0; i < c.decoded.size(); ++i) {
    const auto& m = c.decoded[i];
    if (const auto* s = std::get_if<stream_start_message>(&m.body)) {
      ASSERT_FALSE(open) << "nested Stream Start at " << i;
      open = s->xid;
      EXPECT_EQ(s->first_segment, segments[s->xid]++ == 0) << "segment flag at " << i;
    } else if (std::holds_alternative<stream_stop_message>(m.body)) {
      ASSERT_TRUE(open) << "Stream Stop without Start at " << i;
      open.reset();
    } else if (const auto* r = std::get_if<relation_message>(&m.body)) {
      EXPECT_EQ(r->table, "bulk");
      EXPECT_EQ(m.stream_xid, open);
      relations.put(*r);
    } else if (const auto* ins = std::get_if<insert_message>(&m.body)) {
      ASSERT_NE(relations.find(ins->relid), nullptr);
      if (open) {
        ASSERT_TRUE(m.stream_xid) << "streamed change without xid at " << i;
        // Rows of the savepoint carry its subtransaction's xid, not the stream's.
        auto id = row_id(*ins);
        EXPECT_EQ(*m.stream_xid == *open, id <= 5000 || id > 200000) << "row " << id;
        pending[*open][*m.stream_xid].push_back(id);
      } else {
        EXPECT_FALSE(m.stream_xid);
        ++plain_inserts;
        EXPECT_EQ(row_id(*ins), 6000);
      }
    } else if (const auto* a = std::get_if<stream_abort_message>(&m.body)) {
      EXPECT_FALSE(open);
      stream_aborts.push_back(a->xid);
      auto& top = pending[a->xid];
      auto drop = [&](const std::vector<std::int64_t>& ids) { dropped.insert(ids.begin(), ids.end()); };
      if (a->subxid == a->xid) {
        for (const auto& [xid, ids] : top)
          drop(ids);
        pending.erase(a->xid);
      } else {
        EXPECT_TRUE(top.count(a->subxid)) << "abort of a subtransaction that streamed nothing";
        drop(top[a->subxid]);
        top.erase(a->subxid);
      }
    } else if (const auto* sc = std::get_if<stream_commit_message>(&m.body)) {
      EXPECT_FALSE(open);
      EXPECT_GT(sc->end_lsn, sc->commit_lsn);
      stream_commits.push_back(sc->xid);
      for (const auto& [xid, ids] : pending[sc->xid])
        committed.insert(committed.end(), ids.begin(), ids.end());
      pending.erase(sc->xid);
    } else {
      EXPECT_FALSE(open) << "message '" << c.kinds[i] << "' inside a stream at " << i;
    }
  }
  EXPECT_FALSE(open);
  EXPECT_TRUE(pending.empty());
  // One committed and one rolled-back transaction were streamed, in
  // several segments each; the small transaction came as Begin/Commit.
  ASSERT_EQ(stream_commits.size(), 1u);
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_GE(segments[stream_commits[0]], 2);
  EXPECT_EQ(c.all<stream_start_message>().size(), c.all<stream_stop_message>().size());
  EXPECT_EQ(plain_inserts, 1u);
  EXPECT_EQ(c.all<commit_message>().size(), 1u);
  EXPECT_EQ(c.kinds.substr(c.kinds.size() - 4), "BRIC");
  // The whole rolled-back transaction and the rolled-back savepoint each
  // ended with a Stream Abort (the savepoint's streamed part, at least).
  ASSERT_EQ(stream_aborts.size(), 2u);
  EXPECT_EQ(stream_aborts[0], stream_commits[0]);

  std::sort(committed.begin(), committed.end());
  ASSERT_EQ(committed.size(), 5000u);
  for (std::size_t i = 0; i < committed.size(); ++i)
    ASSERT_EQ(committed[i], static_cast<std::int64_t>(i + 1));
  EXPECT_FALSE(dropped.empty());
  for (auto id : dropped)
    EXPECT_TRUE((id > 100000 && id <= 100500) || (id > 200000 && id <= 201000)) << id;
  EXPECT_GT(*dropped.rbegin(), 200000);
  EXPECT_LT(*dropped.begin(), 100501);
}

TEST(Vectors, edge_values_to_json) {
  const auto& c = load("edges");
  EXPECT_EQ(c.kinds, "BRIIIIIIIIC");
  auto payloads = payloads_of(c);
  ASSERT_EQ(payloads.size(), 8u);
  std::vector<std::string> records;
  for (const auto& p : payloads) {
    auto start = p.find(R"("record":)");
    auto end = p.rfind(R"(,"errors":null})");
    ASSERT_NE(start, std::string::npos) << p;
    ASSERT_NE(end, std::string::npos) << p;
    records.push_back(p.substr(start + 9, end - start - 9));
  }
  EXPECT_EQ(records[0], R"({"id":1,"n":"NaN","f8":"NaN","f4":"NaN",)"
                        R"("ts":"infinity","t":"infinity","d":"infinity"})");
  EXPECT_EQ(records[1], R"({"id":2,"n":"Infinity","f8":"Infinity","f4":"Infinity",)"
                        R"("ts":"-infinity","t":"-infinity","d":"-infinity"})");
  EXPECT_EQ(records[2], R"({"id":3,"n":"-Infinity","f8":"-Infinity","f4":"-Infinity",)"
                        R"("ts":null,"t":null,"d":null})");
  EXPECT_EQ(records[3], R"({"id":4,"n":0.00000000000000000001,"f8":0.1,"f4":0.1,)"
                        R"("ts":"2000-01-01T00:00:00+00:00","t":"1999-12-31T23:59:59.999999",)"
                        R"("d":"2000-01-01"})");
  EXPECT_EQ(records[4],
            R"({"id":5,"n":123456789012345678901234567890.123456789012345678901234567890,)"
            R"("f8":5e-324,"f4":3.4e+38,"ts":"1970-01-01T00:00:00.000001+00:00",)"
            R"("t":"1970-01-01T00:00:00","d":"1970-01-01"})");
  // to_jsonb's forms: the offset before " BC", 'T' after a five-digit year.
  EXPECT_EQ(records[5], R"({"id":6,"n":0.000,"f8":0,"f4":1e-45,)"
                        R"("ts":"0044-03-15T12:00:00+00:00 BC","t":"0044-03-15T12:00:00 BC",)"
                        R"("d":"0044-03-15 BC"})");
  EXPECT_EQ(records[6], R"({"id":7,"n":1.500,"f8":1e+308,"f4":-1.5,"ts":null,"t":null,"d":null})");
  EXPECT_EQ(records[7], R"({"id":8,"n":null,"f8":null,"f4":null,)"
                        R"("ts":"10000-01-01T00:00:00+00:00","t":"10000-01-01T00:00:00",)"
                        R"("d":"10000-01-01"})");
}

TEST(VectorsMalformed, every_prefix_of_real_messages_is_an_error) {
  struct pick {
    std::string file;
    std::size_t index;
    bool in_stream;
  };
  std::vector<pick> picks = {
    {"identity_default", 0, false},  // B
    {"identity_default", 1, false},  // R
    {"identity_default", 2, false},  // I, every value type
    {"identity_default", 4, false},  // C
    {"identity_full", 2, false},     // U with 'O'
    {"key_change", 5, false},        // U with 'K'
    {"toast_default", 5, false},     // U with 'u'
    {"toast_default", 8, false},     // D
    {"types", 1, false},             // Y
    {"truncate", 9, false},          // T of two relations
    {"messages", 4, false},          // M with a NUL byte
  };
  const auto& stream = load("stream");
  for (std::size_t i = 0; i < stream.kinds.size(); ++i) {
    char k = stream.kinds[i];
    bool first_of_kind = stream.kinds.find(k) == i;
    if (first_of_kind && std::string_view{"SRIEAc"}.find(k) != std::string_view::npos)
      picks.push_back({"stream", i, k == 'R' || k == 'I'});
  }
  ASSERT_EQ(picks.size(), 17u);
  for (const auto& p : picks) {
    const auto& full = load(p.file).raw.at(p.index);
    ASSERT_TRUE(decode_pgoutput(full, p.in_stream)) << p.file << " #" << p.index;
    for (std::size_t n = 0; n < full.size(); ++n) {
      auto decoded = decode_pgoutput(std::string_view{full}.substr(0, n), p.in_stream);
      ASSERT_FALSE(decoded) << p.file << " #" << p.index << " cut to " << n << " bytes";
      EXPECT_EQ(decoded.error(), errc::truncated) << p.file << " #" << p.index << " at " << n;
    }
    auto longer = decode_pgoutput(full + '\0', p.in_stream);
    ASSERT_FALSE(longer) << p.file << " #" << p.index;
    EXPECT_EQ(longer.error(), errc::trailing_bytes) << p.file << " #" << p.index;
  }
}
