#include "rt/db/catalog.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "rt/db/connection.hpp"

namespace rt::db {
namespace {

using replication::filter_condition;
using replication::filter_op;

const std::string not_enabled_prefix =
  "Unable to subscribe to changes with given parameters. Please check Realtime is enabled for "
  "the given connect parameters: [";
const std::string exception_prefix =
  "Unable to subscribe to changes with given parameters. An exception happened so please check "
  "your connect parameters: [";

binding_spec binding(std::string schema, std::string table, std::string filter = {},
                     std::optional<std::vector<std::string>> select = std::nullopt) {
  binding_spec b;
  b.schema = std::move(schema);
  b.table = std::move(table);
  auto parsed = replication::parse_filter(filter);
  EXPECT_TRUE(parsed) << parsed.error();
  if (parsed)
    b.filters = *parsed;
  b.select = std::move(select);
  return b;
}

// Each test gets a database of its own (cat_<test>_<pid>) with an empty
// publication supabase_realtime; the roles are the cluster's.
class Catalog : public ::testing::Test {
protected:
  void SetUp() override {
    const char* port = std::getenv("RT_TEST_PGPORT");
    if (port == nullptr)
      GTEST_SKIP() << "RT_TEST_PGPORT is not set: run through ctest (fixture pg)";
    cfg_.host = "127.0.0.1";
    cfg_.port = static_cast<std::uint16_t>(std::atoi(port));
    cfg_.user = "postgres";
    cfg_.name = "postgres";
    auto admin = connect(cfg_, session_kind::regular);
    ASSERT_TRUE(admin) << admin.error().message;
    admin_ = std::move(*admin);
    db_ = database_name();
    run(admin_.get(), "CREATE DATABASE " + quote_identifier(db_));
    cfg_.name = db_;
    auto conn = connect(cfg_, session_kind::regular);
    ASSERT_TRUE(conn) << conn.error().message;
    conn_ = std::move(*conn);
    sql("CREATE PUBLICATION supabase_realtime");
  }

  void TearDown() override {
    conn_.reset();
    if (admin_)
      run(admin_.get(), "DROP DATABASE IF EXISTS " + quote_identifier(db_) + " WITH (FORCE)");
  }

  static std::string database_name() {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::isalnum(c) ? std::tolower(c) : '_'; });
    return "cat_" + name.substr(0, 40) + "_" + std::to_string(::getpid());
  }

  static void run(PGconn* conn, const std::string& text) {
    auto r = exec_simple(conn, text);
    ASSERT_TRUE(r) << text << ": " << r.error().message;
  }

  void sql(const std::string& text) { run(conn_.get(), text); }

  std::string scalar(const std::string& text) {
    auto r = exec(conn_.get(), text);
    EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().message);
    if (!r)
      return {};
    return std::string{field(r->get(), 0, 0).value_or("")};
  }

  tl::expected<std::vector<table_info>, std::string> resolve(const binding_spec& b,
                                                              const std::string& role = "anon") {
    return resolve_binding(conn_.get(), "supabase_realtime", role, b);
  }

  // The single table `b` resolves to (fails the test otherwise).
  table_info resolve_one(const binding_spec& b, const std::string& role = "anon") {
    auto r = resolve(b, role);
    EXPECT_TRUE(r) << r.error();
    if (!r || r->size() != 1) {
      ADD_FAILURE() << "expected exactly one table";
      return {};
    }
    return r->front();
  }

  // The operands of the single filter of `filter` on public.t.
  std::vector<std::optional<std::string>> operands(const std::string& filter) {
    auto t = resolve_one(binding("public", "t", filter));
    if (t.filters.size() != 1)
      return {};
    return t.filters.front().operands;
  }

  // The client error for `filter` on public.t.
  std::string filter_error(const std::string& filter, const std::string& role = "anon") {
    auto r = resolve(binding("public", "t", filter), role);
    EXPECT_FALSE(r) << filter << " was accepted";
    return r ? std::string{} : r.error();
  }

  database_config cfg_;
  connection admin_;
  connection conn_;
  std::string db_;
};

std::vector<std::string> names(const std::vector<table_info>& tables) {
  std::vector<std::string> out;
  for (const auto& t : tables)
    out.push_back(t.schema + "." + t.table);
  return out;
}

using operand_list = std::vector<std::optional<std::string>>;

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
  ASSERT_EQ(t.columns.size(), 3u);
  EXPECT_EQ(t.columns[0].name, "id");
  EXPECT_EQ(t.columns[0].attnum, 1);
  EXPECT_EQ(t.columns[0].type_oid, 20u);
  EXPECT_EQ(t.columns[0].type_name, "int8");
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

class CatalogValues : public Catalog {
protected:
  void SetUp() override {
    Catalog::SetUp();
    if (IsSkipped() || HasFatalFailure())
      return;
    sql("CREATE TABLE public.t (id int4 PRIMARY KEY, at timestamptz, uid uuid, flag bool, "
        "name text, big int8, vc varchar(10));"
        "GRANT SELECT ON public.t TO anon;"
        "ALTER PUBLICATION supabase_realtime ADD TABLE public.t");
  }

  // The "Exception: ..." part of the error for `filter`.
  std::string exception_of(const std::string& filter) { return exception_part(filter_error(filter)); }

  // The same for a condition the filter parser would not produce.
  std::string exception_of(const filter_condition& condition) {
    auto b = binding("public", "t");
    b.filters = {condition};
    auto r = resolve(b);
    EXPECT_FALSE(r);
    return r ? std::string{} : exception_part(r.error());
  }

  static std::string exception_part(const std::string& e) {
    auto at = e.find("]. Exception: ");
    return at == std::string::npos ? e : e.substr(at + 14);
  }
};

TEST_F(CatalogValues, CanonicalOutputs) {
  EXPECT_EQ(operands("id=eq. 42"), (operand_list{"42"}));
  EXPECT_EQ(operands("id=gte.+7"), (operand_list{"7"}));
  EXPECT_EQ(operands("at=lt.2025-01-01 10:00+02"), (operand_list{"2025-01-01 08:00:00+00"}));
  EXPECT_EQ(operands("at=isdistinct.2025-01-01T10:00:00.5Z"), (operand_list{"2025-01-01 10:00:00.5+00"}));
  EXPECT_EQ(operands("uid=eq.A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"),
            (operand_list{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}));
  EXPECT_EQ(operands("uid=neq.{a0eebc999c0b4ef8bb6d6bb9bd380a11}"),
            (operand_list{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}));
  EXPECT_EQ(operands("flag=eq.yes"), (operand_list{"t"}));
  EXPECT_EQ(operands("flag=eq.FALSE"), (operand_list{"f"}));
  EXPECT_EQ(operands("name=eq.  spaced "), (operand_list{"  spaced"})); // the parser trims the end
  auto t = resolve_one(binding("public", "t", "flag=eq.1"));
  ASSERT_EQ(t.filters.size(), 1u);
  EXPECT_EQ(t.filters[0].column, 3u);
}

TEST_F(CatalogValues, ValuesThatDoNotCast) {
  EXPECT_EQ(exception_of("id=eq.abc"),
            "ERROR 22P02 (invalid_text_representation) invalid input syntax for type integer: \"abc\"");
  EXPECT_EQ(exception_of("id=eq.99999999999"),
            "ERROR 22003 (numeric_value_out_of_range) value \"99999999999\" is out of range for type "
            "integer");
  EXPECT_EQ(exception_of("at=gt.soon"),
            "ERROR 22007 (invalid_datetime_format) invalid input syntax for type timestamp with time "
            "zone: \"soon\"");
  EXPECT_EQ(exception_of("uid=eq.xyz"),
            "ERROR 22P02 (invalid_text_representation) invalid input syntax for type uuid: \"xyz\"");
  EXPECT_EQ(exception_of("flag=eq.maybe"),
            "ERROR 22P02 (invalid_text_representation) invalid input syntax for type boolean: "
            "\"maybe\"");
  // The whole error, once.
  EXPECT_EQ(filter_error("id=eq.abc"),
            exception_prefix + "event: *, schema: public, table: t, filters: [{\"id\", \"eq\", \"abc\", "
                               "false}], select: nil]. Exception: ERROR 22P02 "
                               "(invalid_text_representation) invalid input syntax for type integer: "
                               "\"abc\"");
}

TEST_F(CatalogValues, ErrorsKeepDetailAndHint) {
  EXPECT_EQ(exception_of(filter_condition{"id", filter_op::in, "{1", false}),
            "ERROR 22P02 (invalid_text_representation) malformed array literal: \"{1\"\n\n"
            "Unexpected end of input.");
  EXPECT_EQ(exception_of("at=eq.2025-13-45 10:00"),
            "ERROR 22008 (datetime_field_overflow) date/time field value out of range: \"2025-13-45 "
            "10:00\"\n\n    hint: Perhaps you need a different \"datestyle\" setting.");
}

TEST_F(CatalogValues, InFilter) {
  EXPECT_EQ(operands("id=in.(1, 2 ,+3)"), (operand_list{"1", "2", "3"}));
  EXPECT_EQ(operands("id=in.(1,NULL)"), (operand_list{"1", std::nullopt}));
  EXPECT_EQ(operands("name=in.(\"a,b\",NULL,\"NULL\")"), (operand_list{"a,b", std::nullopt, "NULL"}));
  EXPECT_EQ(operands("uid=not.in.(A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11)"),
            (operand_list{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}));
  EXPECT_EQ(operands("id=in.()"), (operand_list{}));
  std::string hundred = "(1";
  for (int i = 2; i <= 100; ++i)
    hundred += "," + std::to_string(i);
  EXPECT_EQ(operands("id=in." + hundred + ")").size(), 100u);
  EXPECT_EQ(exception_of("id=in." + hundred + ",101)"),
            "ERROR P0001 (raise_exception) too many values for `in` filter. Maximum 100");
  EXPECT_EQ(exception_of("id=in.(1,x)"),
            "ERROR 22P02 (invalid_text_representation) invalid input syntax for type integer: \"x\"");
}

TEST_F(CatalogValues, IsFilter) {
  EXPECT_EQ(operands("id=is.null"), (operand_list{"null"}));
  EXPECT_EQ(operands("flag=not.is.true"), (operand_list{"true"}));
  EXPECT_EQ(operands("flag=is.unknown"), (operand_list{"unknown"}));
  EXPECT_EQ(exception_of("id=is.true"),
            "ERROR P0001 (raise_exception) is true filter requires a boolean column, got integer");
  EXPECT_EQ(exception_of("at=is.false"), "ERROR P0001 (raise_exception) is false filter requires a "
                                         "boolean column, got timestamp with time zone");
  EXPECT_EQ(exception_of("flag=is.maybe"),
            "ERROR P0001 (raise_exception) invalid value for is filter: must be null, true, false, or "
            "unknown");
}

TEST_F(CatalogValues, LikeFilter) {
  EXPECT_EQ(operands("name=like.Hello%"), (operand_list{"Hello%"}));
  EXPECT_EQ(operands("name=not.ilike.*x_"), (operand_list{"*x_"}));
  EXPECT_EQ(exception_of("id=like.1%"),
            "ERROR P0001 (raise_exception) operator like requires a text-compatible column type, got "
            "integer");
  // As in Supabase: varchar has no ~~ operator of its own.
  EXPECT_EQ(exception_of("vc=ilike.a%"), "ERROR P0001 (raise_exception) operator ilike requires a "
                                         "text-compatible column type, got character varying");
}

TEST_F(CatalogValues, MatchFilter) {
  EXPECT_EQ(operands("name=match.^a(b|c)+$"), (operand_list{"^a(b|c)+$"}));
  EXPECT_EQ(operands("name=imatch.ABC"), (operand_list{"ABC"}));
  EXPECT_EQ(exception_of("name=match.a(b"),
            "ERROR P0001 (raise_exception) invalid regular expression for match filter: invalid "
            "regular expression: parentheses () not balanced");
  EXPECT_EQ(exception_of("name=imatch.[z-a]"),
            "ERROR P0001 (raise_exception) invalid regular expression for imatch filter: invalid "
            "regular expression: invalid character range");
  EXPECT_EQ(exception_of("big=match.1"), "ERROR P0001 (raise_exception) operator match requires a "
                                         "text-compatible column type, got bigint");
}

TEST_F(CatalogValues, SeveralFiltersInOrder) {
  auto t = resolve_one(binding("public", "t", "name=eq.x,id=gt. 1,id=lt.10"));
  ASSERT_EQ(t.filters.size(), 3u);
  EXPECT_EQ(t.filters[0].column, 4u);
  EXPECT_EQ(t.filters[1].column, 0u);
  EXPECT_EQ(t.filters[1].operands, (operand_list{"1"}));
  EXPECT_EQ(t.filters[2].operands, (operand_list{"10"}));
  // The first failing filter is reported.
  EXPECT_EQ(exception_of("id=eq.1,name=eq.x,nope=eq.1,id=eq.x"),
            "ERROR P0001 (raise_exception) invalid column for filter nope");
}

TEST_F(CatalogValues, SelectColumns) {
  auto t = resolve_one(binding("public", "t", "", std::vector<std::string>{"name", "id"}));
  EXPECT_EQ(t.columns.size(), 7u);
  auto r = resolve(binding("public", "t", "", std::vector<std::string>{"id", "nope"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), exception_prefix + "event: *, schema: public, table: t, filters: [], select: "
                                          "[\"id\", \"nope\"]]. Exception: ERROR P0001 "
                                          "(raise_exception) invalid column for select nope");
  // Filters are checked first.
  auto both = resolve(binding("public", "t", "x=eq.1", std::vector<std::string>{"nope"}));
  ASSERT_FALSE(both);
  EXPECT_NE(both.error().find("invalid column for filter x"), std::string::npos) << both.error();
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

TEST_F(Catalog, DomainConstraintInError) {
  sql("CREATE DOMAIN public.positive AS int4 CHECK (VALUE > 0);"
      "CREATE TABLE public.t (id int4 PRIMARY KEY, qty public.positive);"
      "GRANT SELECT ON public.t TO anon;"
      "ALTER PUBLICATION supabase_realtime ADD TABLE public.t");
  EXPECT_EQ(operands("qty=in.(1, 2)"), (operand_list{"1", "2"}));
  auto e = filter_error("qty=gt.-1");
  EXPECT_NE(e.find("]. Exception: ERROR 23514 (check_violation) value for domain positive violates "
                   "check constraint \"positive_check\"\n\n    constraint: positive_check"),
            std::string::npos)
    << e;
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

// params_to_log needs no database.

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

TEST(CatalogParamsToLog, EscapesStrings) {
  binding_spec b;
  b.filters = {{"name", filter_op::eq, "a\"b\\c #{x} \n\t\xE2\x80\x8B\xC3\xA9", false}};
  EXPECT_EQ(params_to_log(b), "event: *, schema: public, table: *, filters: [{\"name\", \"eq\", "
                              "\"a\\\"b\\\\c \\#{x} \\n\\t\\u200B\xC3\xA9\", false}], select: nil");
  b.filters = {{"x", filter_op::eq, std::string{"\x01\xFF", 2}, false}};
  EXPECT_EQ(params_to_log(b), "event: *, schema: public, table: *, filters: [{\"x\", \"eq\", <<1, "
                              "255>>, false}], select: nil");
}

TEST(CatalogParamsToLog, BreaksLongListsLikeElixir) {
  binding_spec b;
  b.filters = {{"id", filter_op::eq, "1", false},
               {"title", filter_op::like, "hello%", true},
               {"status", filter_op::in, "{a,b,c}", false}};
  EXPECT_EQ(params_to_log(b), "event: *, schema: public, table: *, filters: [\n"
                              "  {\"id\", \"eq\", \"1\", false},\n"
                              "  {\"title\", \"like\", \"hello%\", true},\n"
                              "  {\"status\", \"in\", \"{a,b,c}\", false}\n"
                              "], select: nil");
  std::vector<std::string> columns;
  for (int i = 1; i <= 12; ++i)
    columns.push_back(std::string{"column_0"} + (i < 10 ? "0" : "") + std::to_string(i));
  b.filters.clear();
  b.select = columns;
  EXPECT_EQ(params_to_log(b),
            "event: *, schema: public, table: *, filters: [], select: [\"column_001\", \"column_002\", "
            "\"column_003\", \"column_004\", \"column_005\",\n"
            " \"column_006\", \"column_007\", \"column_008\", \"column_009\", \"column_010\",\n"
            " \"column_011\", \"column_012\"]");
}

TEST(CatalogParamsToLog, BreaksLongTuples) {
  binding_spec b;
  std::string value(100, 'x');
  b.filters = {{"title", filter_op::eq, value, false}};
  EXPECT_EQ(params_to_log(b), "event: *, schema: public, table: *, filters: [\n"
                              "  {\"title\", \"eq\",\n"
                              "   \"" + value + "\",\n"
                              "   false}\n"
                              "], select: nil");
}

TEST(CatalogParamsToLog, LimitsItems) {
  binding_spec b;
  // Each tuple uses 5 of inspect's limit of 100: 20 are shown.
  b.filters.assign(21, filter_condition{"a", filter_op::eq, "1", false});
  std::string expected = "event: *, schema: public, table: *, filters: [\n";
  for (int i = 0; i < 20; ++i)
    expected += "  {\"a\", \"eq\", \"1\", false},\n";
  expected += "  ...\n], select: nil";
  EXPECT_EQ(params_to_log(b), expected);
  b.filters.resize(20);
  EXPECT_EQ(params_to_log(b).find("..."), std::string::npos);
}

} // namespace
} // namespace rt::db
