#include "rt/replication/change_payload.hpp"

#include <gtest/gtest.h>

using namespace rt::replication;

namespace {

relation_message items(char identity = 'd') {
  relation_message r;
  r.relid = 16385;
  r.schema = "public";
  r.table = "items";
  r.replica_identity = identity;
  bool full = identity == 'f';
  r.columns = {{true, "id", 20, -1}, {full, "name", 25, -1}, {full, "doc", 3802, -1}};
  return r;
}

column_value text(std::string_view v) { return {column_kind::text, v}; }
column_value null() { return {column_kind::null, {}}; }
column_value toast() { return {column_kind::unchanged_toast, {}}; }

struct fixture : ::testing::Test {
  relation_message relation = items();
  type_names types;
  change_context ctx() {
    change_context c;
    c.relation = &relation;
    c.types = &types;
    c.commit_time = 0;
    return c;
  }
};

constexpr std::string_view head =
  R"({"schema":"public","table":"items","commit_timestamp":"2000-01-01T00:00:00.000Z",)";
constexpr std::string_view columns =
  R"("columns":[{"name":"id","type":"int8"},{"name":"name","type":"text"},{"name":"doc","type":"jsonb"}])";

} // namespace

TEST_F(fixture, insert_has_record_and_no_old_record) {
  insert_message m{16385, {text("46"), text("content"), text(R"({"a": 1})")}};
  EXPECT_EQ(change_payload(ctx(), m),
            std::string{head} + R"("type":"INSERT",)" + std::string{columns} +
              R"(,"record":{"id":46,"name":"content","doc":{"a": 1}},"errors":null})");
}

TEST_F(fixture, update_under_default_identity_sends_the_key_as_old_record_and_omits_unchanged_toast) {
  update_message m;
  m.relid = 16385;
  m.new_tuple = {text("46"), text("renamed"), toast()};
  EXPECT_EQ(change_payload(ctx(), m),
            std::string{head} + R"("type":"UPDATE",)" + std::string{columns} +
              R"(,"record":{"id":46,"name":"renamed"},"old_record":{"id":46},"errors":null})");
}

TEST_F(fixture, update_of_the_key_sends_the_old_key) {
  update_message m;
  m.relid = 16385;
  m.old_kind = 'K';
  m.old_tuple = {text("45"), null(), null()};
  m.new_tuple = {text("46"), text("x"), null()};
  auto out = change_payload(ctx(), m);
  EXPECT_NE(out.find(R"("record":{"id":46,"name":"x","doc":null},"old_record":{"id":45})"), std::string::npos)
    << out;
}

TEST_F(fixture, update_under_full_identity_fills_unchanged_toast_from_the_old_row) {
  relation = items('f');
  update_message m;
  m.relid = 16385;
  m.old_kind = 'O';
  m.old_tuple = {text("46"), text("before"), text(R"({"big": true})")};
  m.new_tuple = {text("46"), text("after"), toast()};
  auto out = change_payload(ctx(), m);
  EXPECT_NE(out.find(R"("record":{"id":46,"name":"after","doc":{"big": true}},)"
                     R"("old_record":{"id":46,"name":"before","doc":{"big": true}})"),
            std::string::npos)
    << out;
}

TEST_F(fixture, delete_has_old_record_and_no_record) {
  delete_message m{16385, 'K', {text("46"), null(), null()}};
  EXPECT_EQ(change_payload(ctx(), m),
            std::string{head} + R"("type":"DELETE",)" + std::string{columns} +
              R"(,"old_record":{"id":46},"errors":null})");
}

TEST_F(fixture, delete_under_row_security_keeps_only_the_primary_key_of_a_full_old_row) {
  relation = items('f'); // every column flagged as identity
  auto c = ctx();
  c.primary_key = {true, false, false};
  c.old_record_key_only = true;
  delete_message m{16385, 'O', {text("46"), text("secret"), null()}};
  EXPECT_EQ(change_payload(c, m),
            std::string{head} + R"("type":"DELETE",)" + std::string{columns} +
              R"(,"old_record":{"id":46},"errors":null})");
  // Updates keep their old row: they are checked instead.
  update_message u;
  u.relid = 16385;
  u.old_kind = 'O';
  u.old_tuple = {text("46"), text("before"), null()};
  u.new_tuple = {text("46"), text("after"), null()};
  EXPECT_NE(change_payload(c, u).find(R"("old_record":{"id":46,"name":"before","doc":null})"),
            std::string::npos);
}

TEST_F(fixture, a_table_without_primary_key_gets_the_400_shape) {
  for (auto& c : relation.columns)
    c.key = false;
  insert_message m{16385, {text("1"), text("x"), null()}};
  EXPECT_EQ(change_payload(ctx(), m),
            R"({"schema":"public","table":"items","commit_timestamp":null,"type":"INSERT",)"
            R"("columns":[],"record":{},"errors":["Error 400: Bad Request, no primary key"]})");
  delete_message d{16385, 'O', {text("1"), text("x"), null()}};
  EXPECT_EQ(change_payload(ctx(), d),
            R"({"schema":"public","table":"items","commit_timestamp":null,"type":"DELETE",)"
            R"("columns":[],"old_record":{},"errors":["Error 400: Bad Request, no primary key"]})");
}

TEST_F(fixture, a_primary_key_from_the_catalog_overrides_identity_flags) {
  relation = items('f'); // every column flagged as identity
  auto c = ctx();
  c.primary_key = {false, false, false};
  insert_message m{16385, {text("1"), text("x"), null()}};
  EXPECT_NE(change_payload(c, m).find("no primary key"), std::string::npos);
}

TEST_F(fixture, an_oversized_record_keeps_short_values_and_says_413) {
  auto c = ctx();
  c.max_record_bytes = 100;
  std::string long_name(200, 'n');
  insert_message m{16385, {text("46"), text(long_name), text("[1]")}};
  auto out = change_payload(c, m);
  EXPECT_NE(out.find(R"("record":{"id":46,"doc":[1]},"errors":["Error 413: Payload Too Large"]})"),
            std::string::npos)
    << out;
}

TEST_F(fixture, visible_columns_narrow_columns_record_and_old_record) {
  auto c = ctx();
  c.visible = {true, false, true};
  update_message m;
  m.relid = relation.relid;
  m.new_tuple = {text("7"), text("secret"), text(R"({"a":1})")};
  EXPECT_EQ(change_payload(c, m),
            std::string{head} + R"("type":"UPDATE",)" +
              R"("columns":[{"name":"id","type":"int8"},{"name":"doc","type":"jsonb"}],)" +
              R"("record":{"id":7,"doc":{"a":1}},"old_record":{"id":7},"errors":null})");
}
