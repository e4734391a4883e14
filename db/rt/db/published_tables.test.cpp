#include "rt/db/published_tables.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rt/db/catalog_fixture.test.hpp"

namespace rt::db {
namespace {

TEST_F(Catalog, ExactTable) {
  sql("CREATE TABLE public.todos (id int8 PRIMARY KEY, title text, done bool);"
      "CREATE TABLE public.todos_other (id int8 PRIMARY KEY);"
      "GRANT SELECT ON public.todos, public.todos_other TO anon;"
      "ALTER PUBLICATION supabase_realtime ADD TABLE public.todos, public.todos_other");
  auto t = resolve_one(binding("public", "todos"));
  EXPECT_EQ(t.schema, "public");
  EXPECT_EQ(t.table, "todos");
  EXPECT_EQ(std::to_string(t.relid), scalar("SELECT 'public.todos'::regclass::oid"));
  EXPECT_FALSE(t.row_security);
  EXPECT_FALSE(t.role_bypasses_rls);
  EXPECT_TRUE(t.table_selectable);
  ASSERT_EQ(t.columns.size(), 3u);
  EXPECT_EQ(t.columns[0].name, "id");
  EXPECT_EQ(t.columns[0].attnum, 1);
  EXPECT_EQ(t.columns[0].type_oid, 20u);
  EXPECT_EQ(t.columns[0].type_name, "int8");
  EXPECT_EQ(t.columns[0].base_type_oid, 20u);
  EXPECT_EQ(t.columns[1].name, "title");
  EXPECT_EQ(t.columns[1].type_name, "text");
  EXPECT_EQ(t.columns[2].name, "done");
  EXPECT_EQ(t.columns[2].type_name, "bool");
  for (const auto& c : t.columns)
    EXPECT_TRUE(c.selectable) << c.name;
  EXPECT_TRUE(t.filters.empty());
}

TEST_F(Catalog, DroppedColumnsAreLeftOutAndAttnumKept) {
  sql("CREATE TABLE public.t (id int4 PRIMARY KEY, gone text, kept text[]);"
      "ALTER TABLE public.t DROP COLUMN gone;"
      "GRANT SELECT ON public.t TO anon;"
      "ALTER PUBLICATION supabase_realtime ADD TABLE public.t");
  auto t = resolve_one(binding("public", "t"));
  ASSERT_EQ(t.columns.size(), 2u);
  EXPECT_EQ(t.columns[1].name, "kept");
  EXPECT_EQ(t.columns[1].attnum, 3);
  EXPECT_EQ(t.columns[1].type_name, "_text");
}

TEST_F(Catalog, SchemaWildcard) {
  sql("CREATE SCHEMA s1; CREATE SCHEMA s2;"
      "CREATE TABLE s1.a (id int4 PRIMARY KEY); CREATE TABLE s2.a (id int4 PRIMARY KEY);"
      "CREATE TABLE s2.b (id int4 PRIMARY KEY); CREATE TABLE s2.c (id int4 PRIMARY KEY);"
      "ALTER PUBLICATION supabase_realtime ADD TABLE s1.a, s2.a, s2.b");
  auto all = resolve(binding("*", "*"));
  ASSERT_TRUE(all) << all.error();
  EXPECT_EQ(names(*all), (std::vector<std::string>{"s1.a", "s2.a", "s2.b"}));
  auto a = resolve(binding("*", "a"));
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(names(*a), (std::vector<std::string>{"s1.a", "s2.a"}));
  // Supabase matches with LIKE: '_' and '%' in a name are wildcards too.
  auto like = resolve(binding("s_", "a"));
  ASSERT_TRUE(like) << like.error();
  EXPECT_EQ(names(*like), (std::vector<std::string>{"s1.a", "s2.a"}));
}

TEST_F(Catalog, TableWildcard) {
  sql("CREATE SCHEMA other;"
      "CREATE TABLE public.b (id int4); CREATE TABLE public.a (id int4);"
      "CREATE TABLE public.hidden (id int4); CREATE TABLE other.a (id int4);"
      "ALTER PUBLICATION supabase_realtime ADD TABLE public.b, public.a, other.a");
  auto r = resolve(binding("public", "*"));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(names(*r), (std::vector<std::string>{"public.a", "public.b"}));
}

TEST_F(Catalog, FilterOnColumnTheRoleCannotSelect) {
  sql("CREATE TABLE public.t (id int4 PRIMARY KEY, secret text, note text);"
      "GRANT SELECT ON public.t TO anon, service_role;"
      "REVOKE SELECT ON public.t FROM anon;"
      "GRANT SELECT (id, note) ON public.t TO anon;"
      "ALTER PUBLICATION supabase_realtime ADD TABLE public.t");
  auto t = resolve_one(binding("public", "t"));
  ASSERT_EQ(t.columns.size(), 3u);
  EXPECT_TRUE(t.columns[0].selectable);
  EXPECT_FALSE(t.columns[1].selectable);
  EXPECT_TRUE(t.columns[2].selectable);
  EXPECT_FALSE(t.table_selectable);
  EXPECT_EQ(operands("note=eq.x"), (operand_list{"x"}));
  auto e = filter_error("secret=eq.x");
  EXPECT_NE(e.find("Exception: ERROR P0001 (raise_exception) invalid column for filter secret"),
            std::string::npos)
    << e;
  auto as_service = resolve_one(binding("public", "t", "secret=eq.x"), "service_role");
  ASSERT_EQ(as_service.filters.size(), 1u);
  EXPECT_EQ(as_service.filters[0].column, 1u);
  sql("REVOKE SELECT ON public.t FROM authenticated");
  auto none = resolve_one(binding("public", "t"), "authenticated");
  for (const auto& c : none.columns)
    EXPECT_FALSE(c.selectable) << c.name;
}

// Reading every current column through column grants is not reading the
// table: a column added later stays hidden from such a role.
TEST_F(Catalog, TableSelectableNeedsTheTablePrivilege) {
  sql("CREATE TABLE public.t (id int4 PRIMARY KEY, a text, b text);"
      "REVOKE ALL ON public.t FROM anon, authenticated, service_role;"
      "GRANT SELECT ON public.t TO service_role;"
      "GRANT SELECT (id, a, b) ON public.t TO authenticated;"
      "ALTER PUBLICATION supabase_realtime ADD TABLE public.t");
  auto by_columns = resolve_one(binding("public", "t"), "authenticated");
  ASSERT_EQ(by_columns.columns.size(), 3u);
  for (const auto& c : by_columns.columns)
    EXPECT_TRUE(c.selectable) << c.name;
  EXPECT_FALSE(by_columns.table_selectable);
  EXPECT_TRUE(resolve_one(binding("public", "t"), "service_role").table_selectable);
  EXPECT_TRUE(resolve_one(binding("public", "t"), "postgres").table_selectable);
  EXPECT_FALSE(resolve_one(binding("public", "t"), "anon").table_selectable);
  sql("GRANT SELECT ON public.t TO anon");
  EXPECT_TRUE(resolve_one(binding("public", "t"), "anon").table_selectable);
}

// Filters follow the base type's semantics; `columns[].type` keeps the
// domain's own name.
TEST_F(Catalog, DomainsExposeTheirBaseType) {
  sql("CREATE DOMAIN public.posint AS int4 CHECK (VALUE > 0);"
      "CREATE DOMAIN public.small_posint AS public.posint CHECK (VALUE < 100);"
      "CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');"
      "CREATE DOMAIN public.mood_d AS public.mood;"
      "CREATE DOMAIN public.mood_dd AS public.mood_d;"
      "CREATE TABLE public.t (id int4 PRIMARY KEY, p public.posint, sp public.small_posint,"
      "  m public.mood_dd, ps public.posint[]);"
      "GRANT SELECT ON public.t TO anon;"
      "ALTER PUBLICATION supabase_realtime ADD TABLE public.t");
  auto t = resolve_one(binding("public", "t"));
  ASSERT_EQ(t.columns.size(), 5u);
  const auto& id = t.columns[0];
  EXPECT_EQ(id.base_type_oid, id.type_oid);
  const auto& p = t.columns[1];
  EXPECT_EQ(p.type_name, "posint");
  EXPECT_EQ(std::to_string(p.type_oid), scalar("SELECT 'public.posint'::regtype::oid"));
  EXPECT_EQ(p.base_type_oid, 23u);
  const auto& sp = t.columns[2];
  EXPECT_EQ(sp.type_name, "small_posint");
  EXPECT_EQ(sp.base_type_oid, 23u);
  const auto& m = t.columns[3];
  EXPECT_EQ(m.type_name, "mood_dd");
  EXPECT_EQ(std::to_string(m.base_type_oid), scalar("SELECT 'public.mood'::regtype::oid"));
  EXPECT_EQ(m.enum_labels, (std::vector<std::string>{"sad", "ok", "happy"}));
  const auto& ps = t.columns[4];
  EXPECT_EQ(ps.base_type_oid, ps.type_oid);
  EXPECT_TRUE(ps.enum_labels.empty());
  EXPECT_EQ(operands("m=in.(ok,happy)"), (operand_list{"ok", "happy"}));
  EXPECT_EQ(operands("sp=eq.+7"), (operand_list{"7"}));
}

TEST_F(Catalog, EnumLabels) {
  sql("CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');"
      "ALTER TYPE public.mood ADD VALUE 'meh' BEFORE 'ok';"
      "ALTER TYPE public.mood ADD VALUE 'so \"so\", \\really' AFTER 'happy';"
      "CREATE TABLE public.t (id int4 PRIMARY KEY, m public.mood);"
      "GRANT SELECT ON public.t TO anon;"
      "ALTER PUBLICATION supabase_realtime ADD TABLE public.t");
  auto t = resolve_one(binding("public", "t"));
  ASSERT_EQ(t.columns.size(), 2u);
  EXPECT_TRUE(t.columns[0].enum_labels.empty());
  EXPECT_EQ(t.columns[1].type_name, "mood");
  EXPECT_EQ(t.columns[1].enum_labels,
            (std::vector<std::string>{"sad", "meh", "ok", "happy", "so \"so\", \\really"}));
  EXPECT_EQ(t.columns[1].collation, "");
  EXPECT_EQ(operands("m=in.(ok,happy)"), (operand_list{"ok", "happy"}));
  auto e = resolve(binding("public", "t", "m=eq.bad"));
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().find("ERROR 22P02 (invalid_text_representation) invalid input value for enum "
                           "mood: \"bad\""),
            std::string::npos)
    << e.error();
}

TEST_F(Catalog, Collations) {
  sql("CREATE TABLE public.t (id int4 PRIMARY KEY, d text, c text COLLATE \"C\", "
      "p varchar COLLATE \"POSIX\", n name, j jsonb);"
      "GRANT SELECT ON public.t TO anon;"
      "ALTER PUBLICATION supabase_realtime ADD TABLE public.t");
  auto t = resolve_one(binding("public", "t"));
  ASSERT_EQ(t.columns.size(), 6u);
  auto db_default = scalar("SELECT datcollate FROM pg_database WHERE datname = current_database()");
  EXPECT_FALSE(db_default.empty());
  EXPECT_EQ(t.columns[0].collation, "");
  EXPECT_EQ(t.columns[1].collation, db_default);
  EXPECT_EQ(t.columns[2].collation, "C");
  EXPECT_EQ(t.columns[3].collation, "POSIX");
  EXPECT_EQ(t.columns[4].collation, "C"); // name columns collate "C"
  EXPECT_EQ(t.columns[5].collation, "");
}

TEST_F(Catalog, PrimaryKeys) {
  sql("CREATE TABLE public.t (a int4, b text, c text, PRIMARY KEY (b, a));"
      "CREATE UNIQUE INDEX ON public.t (c);"
      "CREATE TABLE public.nopk (a int4);"
      "GRANT SELECT ON public.t, public.nopk TO anon;"
      "ALTER PUBLICATION supabase_realtime ADD TABLE public.t, public.nopk");
  auto t = resolve_one(binding("public", "t"));
  ASSERT_EQ(t.columns.size(), 3u);
  EXPECT_TRUE(t.columns[0].primary_key);
  EXPECT_TRUE(t.columns[1].primary_key);
  EXPECT_FALSE(t.columns[2].primary_key);
  auto nopk = resolve_one(binding("public", "nopk"));
  ASSERT_EQ(nopk.columns.size(), 1u);
  EXPECT_FALSE(nopk.columns[0].primary_key);
}

TEST_F(Catalog, TableWithoutColumns) {
  sql("CREATE TABLE public.empty (); ALTER PUBLICATION supabase_realtime ADD TABLE public.empty");
  auto t = resolve_one(binding("public", "empty"));
  EXPECT_EQ(t.table, "empty");
  EXPECT_TRUE(t.columns.empty());
}

TEST_F(Catalog, RowSecurityAndBypass) {
  sql("CREATE TABLE public.secured (id int4 PRIMARY KEY);"
      "ALTER TABLE public.secured ENABLE ROW LEVEL SECURITY;"
      "CREATE TABLE public.open (id int4 PRIMARY KEY);"
      "GRANT SELECT ON public.secured, public.open TO anon, service_role;"
      "ALTER PUBLICATION supabase_realtime ADD TABLE public.secured, public.open");
  auto anon = resolve_one(binding("public", "secured"), "anon");
  EXPECT_TRUE(anon.row_security);
  EXPECT_FALSE(anon.role_bypasses_rls);
  auto service = resolve_one(binding("public", "secured"), "service_role");
  EXPECT_TRUE(service.row_security);
  EXPECT_TRUE(service.role_bypasses_rls);
  auto super = resolve_one(binding("public", "secured"), "postgres");
  EXPECT_TRUE(super.role_bypasses_rls);
  auto open = resolve_one(binding("public", "open"), "anon");
  EXPECT_FALSE(open.row_security);
}

} // namespace
} // namespace rt::db
