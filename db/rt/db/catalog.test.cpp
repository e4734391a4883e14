#include "rt/db/catalog.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rt/db/catalog_fixture.test.hpp"

namespace rt::db {
namespace {

using replication::filter_condition;
using replication::filter_op;

TEST_F(Catalog, TableNotInPublication) {
  sql("CREATE TABLE public.hidden (id int4 PRIMARY KEY); GRANT SELECT ON public.hidden TO anon");
  auto b = binding("public", "hidden");
  b.event = "INSERT";
  auto r = resolve(b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), not_enabled_prefix +
                         "event: INSERT, schema: public, table: hidden, filters: [], select: nil]");
  auto none = resolve(binding("nope", "*", "id=eq.1"));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error(), not_enabled_prefix + "event: *, schema: nope, table: *, filters: "
                                               "[{\"id\", \"eq\", \"1\", false}], select: nil]");
}

TEST_F(Catalog, UnknownRole) {
  sql("CREATE TABLE public.t (id int4 PRIMARY KEY); ALTER PUBLICATION supabase_realtime ADD TABLE public.t");
  auto r = resolve(binding("public", "t"), "no_such_role");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), exception_prefix +
                         "event: *, schema: public, table: t, filters: [], select: nil]. Exception: "
                         "ERROR 42704 (undefined_object) role \"no_such_role\" does not exist");
  // No table: the publication error wins, as in Supabase.
  auto none = resolve(binding("public", "nothing"), "no_such_role");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().rfind(not_enabled_prefix, 0), 0u) << none.error();
}

TEST_F(Catalog, FilterOnUnknownColumn) {
  sql("CREATE TABLE public.t (id int4 PRIMARY KEY); GRANT SELECT ON public.t TO anon;"
      "ALTER PUBLICATION supabase_realtime ADD TABLE public.t");
  EXPECT_EQ(filter_error("nope=eq.1"),
            exception_prefix + "event: *, schema: public, table: t, filters: [{\"nope\", \"eq\", \"1\", "
                               "false}], select: nil]. Exception: ERROR P0001 (raise_exception) invalid "
                               "column for filter nope");
}

TEST_F(Catalog, WildcardValidatesEveryTable) {
  sql("CREATE TABLE public.a (id int4 PRIMARY KEY, x text);"
      "CREATE TABLE public.b (id int4 PRIMARY KEY, x int4);"
      "CREATE TABLE public.c (id int4 PRIMARY KEY);"
      "GRANT SELECT ON public.a, public.b, public.c TO anon;"
      "ALTER PUBLICATION supabase_realtime ADD TABLE public.a, public.b");
  auto ok = resolve(binding("public", "*", "x=eq. 5"));
  ASSERT_TRUE(ok) << ok.error();
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[0].filters[0].operands, (operand_list{" 5"}));
  EXPECT_EQ((*ok)[1].filters[0].operands, (operand_list{"5"}));
  auto bad = resolve(binding("public", "*", "x=eq.abc"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("invalid input syntax for type integer: \"abc\""), std::string::npos)
    << bad.error();
  sql("ALTER PUBLICATION supabase_realtime ADD TABLE public.c");
  auto missing = resolve(binding("public", "*", "x=eq.1"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("invalid column for filter x"), std::string::npos) << missing.error();
}

TEST_F(Catalog, QuotedIdentifiers) {
  sql("CREATE SCHEMA \"My Schema\";"
      "CREATE TABLE \"My Schema\".\"Odd \"\"Table\"\"\" (\"Id\" int4 PRIMARY KEY, \"a b\" text);"
      "GRANT USAGE ON SCHEMA \"My Schema\" TO anon;"
      "GRANT SELECT ON \"My Schema\".\"Odd \"\"Table\"\"\" TO anon;"
      "ALTER PUBLICATION supabase_realtime ADD TABLE \"My Schema\".\"Odd \"\"Table\"\"\"");
  binding_spec b;
  b.schema = "My Schema";
  b.table = "Odd \"Table\"";
  b.filters = {filter_condition{"a b", filter_op::eq, "x'; DROP TABLE x; --", false}};
  auto t = resolve_one(b);
  EXPECT_EQ(t.table, "Odd \"Table\"");
  ASSERT_EQ(t.columns.size(), 2u);
  EXPECT_EQ(t.columns[0].name, "Id");
  ASSERT_EQ(t.filters.size(), 1u);
  EXPECT_EQ(t.filters[0].operands, (operand_list{"x'; DROP TABLE x; --"}));
}

// libpq would cut every one of these values at the NUL byte: "items\0x"
// would select table items and "1\0x" compare with 1.
TEST_F(Catalog, NulBytesAreRefusedAnywhereInTheBinding) {
  sql("CREATE TABLE public.items (id int4 PRIMARY KEY, name text);"
      "GRANT SELECT ON public.items TO anon;"
      "ALTER PUBLICATION supabase_realtime ADD TABLE public.items");
  const std::string nul_error =
    "ERROR 22021 (character_not_in_repertoire) invalid byte sequence for encoding \"UTF8\": 0x00";
  const std::string with_nul{"\0x", 2};
  auto expect_refused = [&](const binding_spec& b, const std::string& what) {
    auto r = resolve(b);
    ASSERT_FALSE(r) << what << " was accepted";
    EXPECT_EQ(r.error().rfind(exception_prefix, 0), 0u) << r.error();
    EXPECT_EQ(exception_part(r.error()), nul_error) << what;
  };
  expect_refused(binding("public", "items" + with_nul), "table");
  expect_refused(binding("public" + with_nul, "items"), "schema");
  auto b = binding("public", "items");
  b.filters = {filter_condition{"id", filter_op::eq, "1" + with_nul, false}};
  expect_refused(b, "eq value");
  b.filters = {filter_condition{"name", filter_op::like, "a%" + with_nul, false}};
  expect_refused(b, "like pattern");
  b.filters = {filter_condition{"id" + with_nul, filter_op::eq, "1", false}};
  expect_refused(b, "filter column");
  b.filters.clear();
  b.select = std::vector<std::string>{"id", "name" + with_nul};
  expect_refused(b, "select column");
  auto role = resolve(binding("public", "items"), "anon" + with_nul);
  ASSERT_FALSE(role);
  EXPECT_EQ(exception_part(role.error()), nul_error);
}

TEST(CatalogParamsToLog, Simple) {
  binding_spec b;
  b.event = "INSERT";
  b.schema = "public";
  b.table = "*";
  EXPECT_EQ(params_to_log(b), "event: INSERT, schema: public, table: *, filters: [], select: nil");
  b.table = "todos";
  b.filters = {{"id", filter_op::eq, "1", false}};
  b.select = std::vector<std::string>{"id", "title"};
  EXPECT_EQ(params_to_log(b), "event: INSERT, schema: public, table: todos, filters: [{\"id\", \"eq\", "
                              "\"1\", false}], select: [\"id\", \"title\"]");
  b.filters = {{"status", filter_op::in, "{a,b}", true}};
  b.select = std::vector<std::string>{};
  EXPECT_EQ(params_to_log(b), "event: INSERT, schema: public, table: todos, filters: [{\"status\", "
                              "\"in\", \"{a,b}\", true}], select: []");
}

TEST(CatalogParamsToLog, BreaksFiltersAndSelectLikeElixir) {
  binding_spec b;
  b.filters = {{"id", filter_op::eq, "1", false},
               {"title", filter_op::like, "hello%", true},
               {"status", filter_op::in, "{a,b,c}", false}};
  EXPECT_EQ(params_to_log(b), "event: *, schema: public, table: *, filters: [\n"
                              "  {\"id\", \"eq\", \"1\", false},\n"
                              "  {\"title\", \"like\", \"hello%\", true},\n"
                              "  {\"status\", \"in\", \"{a,b,c}\", false}\n"
                              "], select: nil");
}

} // namespace
} // namespace rt::db
