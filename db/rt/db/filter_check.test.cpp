#include "rt/db/filter_check.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rt/db/catalog_fixture.test.hpp"

namespace rt::db {
namespace {

using replication::filter_condition;
using replication::filter_op;

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

// Supabase counts the values of `in` at the top level of the array
// (jsonb_array_length of its JSON form), not its elements.
TEST_F(CatalogValues, InFilterCountsTopLevelValues) {
  std::string pairs = "{{0,1}";
  for (int i = 1; i < 51; ++i)
    pairs += ",{" + std::to_string(2 * i) + "," + std::to_string(2 * i + 1) + "}";
  auto b = binding("public", "t");
  b.filters = {filter_condition{"id", filter_op::in, pairs + "}", false}};
  auto t = resolve_one(b);
  ASSERT_EQ(t.filters.size(), 1u);
  EXPECT_EQ(t.filters[0].operands.size(), 102u);
  EXPECT_EQ(t.filters[0].operands.back(), "101");
  std::string singles = "{{0}";
  for (int i = 1; i <= 100; ++i)
    singles += ",{" + std::to_string(i) + "}";
  EXPECT_EQ(exception_of(filter_condition{"id", filter_op::in, singles + "}", false}),
            "ERROR P0001 (raise_exception) too many values for `in` filter. Maximum 100");
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

// Only an invalid pattern (2201B) is reported as one; any other error of
// the check is passed on unchanged.
TEST_F(CatalogValues, MatchPassesOtherErrorsOn) {
  EXPECT_EQ(exception_of(filter_condition{"name", filter_op::match, "a\xFF", false}),
            "ERROR 22021 (character_not_in_repertoire) invalid byte sequence for encoding \"UTF8\": "
            "0xff");
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

// Output settings a database (or role) imposes do not reach the operands:
// the session pins its own (session_settings.hpp).
TEST_F(Catalog, OperandsIgnoreTheDatabaseOutputSettings) {
  sql("ALTER DATABASE " + quote_identifier(db_) + " SET IntervalStyle = iso_8601;"
      "ALTER DATABASE " + quote_identifier(db_) + " SET bytea_output = escape;"
      "ALTER DATABASE " + quote_identifier(db_) + " SET DateStyle = 'SQL, DMY';"
      "ALTER DATABASE " + quote_identifier(db_) + " SET TimeZone = 'Asia/Tokyo';"
      "ALTER DATABASE " + quote_identifier(db_) + " SET extra_float_digits = 0;"
      "CREATE TABLE public.t (id int4 PRIMARY KEY, iv interval, b bytea, at timestamptz,"
      "  d date, f float8);"
      "GRANT SELECT ON public.t TO anon;"
      "ALTER PUBLICATION supabase_realtime ADD TABLE public.t");
  reconnect();
  ASSERT_EQ(scalar("SELECT current_setting('IntervalStyle')"), "postgres");
  EXPECT_EQ(operands("iv=eq.1 day 2 hours"), (operand_list{"1 day 02:00:00"}));
  EXPECT_EQ(operands("b=eq.\\x01ff"), (operand_list{"\\x01ff"}));
  EXPECT_EQ(operands("at=eq.2025-01-01 10:00+02"), (operand_list{"2025-01-01 08:00:00+00"}));
  EXPECT_EQ(operands("d=eq.01/02/2025"), (operand_list{"2025-01-02"}));
  EXPECT_EQ(operands("f=eq.1.0000000000000002"), (operand_list{"1.0000000000000002"}));
}

} // namespace
} // namespace rt::db
