#include "rt/replication/filter_eval.hpp"

#include <locale.h>

#include <ostream>

#include <gtest/gtest.h>

namespace rt::replication {
void PrintTo(truth t, std::ostream* os) { *os << to_string(t); }
} // namespace rt::replication

using namespace rt::replication;

namespace {

constexpr truth Y = truth::yes;
constexpr truth N = truth::no;
constexpr truth U = truth::unknown;

using operand_list = std::vector<std::optional<std::string>>;
using value = std::optional<std::string_view>;
constexpr value null = std::nullopt;

filter_column column_of(std::uint32_t oid, std::string collation = "C", std::vector<std::string> labels = {}) {
  return filter_column{oid, std::move(collation), std::move(labels)};
}

const filter_column int4 = column_of(23);
const filter_column int8 = column_of(20);
const filter_column boolean = column_of(16);
const filter_column text = column_of(25);

std::optional<compiled_filter> compile(filter_op op, const filter_column& column, operand_list operands,
                                       bool negate = false) {
  auto f = compile_filter({"c", op, "", negate}, column, std::move(operands));
  EXPECT_TRUE(f) << (f ? "" : f.error());
  if (!f)
    return std::nullopt;
  EXPECT_EQ(f->op(), op);
  EXPECT_EQ(f->negated(), negate);
  return *f;
}

// The truth of `value <op> operand` (NOT ... when negated). A filter that
// does not compile fails the test (and yields a `no` that no test expects
// next to a compile failure).
truth eval(filter_op op, const filter_column& column, std::optional<std::string> operand, value v,
           bool negate = false) {
  auto f = compile(op, column, {std::move(operand)}, negate);
  return f ? evaluate(*f, v) : N;
}

truth eval_not(filter_op op, const filter_column& column, std::optional<std::string> operand, value v) {
  return eval(op, column, std::move(operand), v, true);
}

std::string error(filter_op op, const filter_column& column, operand_list operands) {
  auto f = compile_filter({"c", op, "", false}, column, std::move(operands));
  EXPECT_FALSE(f) << "compiled although an error was expected";
  return f ? std::string{} : f.error();
}

bool has_locale(const char* name) {
  locale_t l = newlocale(LC_COLLATE_MASK, name, static_cast<locale_t>(nullptr));
  if (l)
    freelocale(l);
  return l != nullptr;
}

operand_list numbers(int from, int to) {
  operand_list out;
  for (int i = from; i <= to; ++i)
    out.emplace_back(std::to_string(i));
  return out;
}

} // namespace

// ------------------------------------------------------------------ integers

TEST(FilterEvalInteger, every_comparison_operator) {
  using enum filter_op;
  EXPECT_EQ(eval(eq, int4, "5", "5"), Y);
  EXPECT_EQ(eval(eq, int4, "5", "6"), N);
  EXPECT_EQ(eval(neq, int4, "5", "6"), Y);
  EXPECT_EQ(eval(neq, int4, "5", "5"), N);
  EXPECT_EQ(eval(lt, int4, "5", "4"), Y);
  EXPECT_EQ(eval(lt, int4, "5", "5"), N);
  EXPECT_EQ(eval(lte, int4, "5", "5"), Y);
  EXPECT_EQ(eval(lte, int4, "5", "6"), N);
  EXPECT_EQ(eval(gt, int4, "5", "6"), Y);
  EXPECT_EQ(eval(gt, int4, "5", "5"), N);
  EXPECT_EQ(eval(gte, int4, "5", "5"), Y);
  EXPECT_EQ(eval(gte, int4, "5", "4"), N);
  // numeric, not text, order
  EXPECT_EQ(eval(lt, int4, "10", "9"), Y);
  EXPECT_EQ(eval(lt, int4, "-1", "-10"), Y);
  EXPECT_EQ(eval(gt, int8, "9223372036854775806", "9223372036854775807"), Y);
  EXPECT_EQ(eval(lt, int8, "-9223372036854775807", "-9223372036854775808"), Y);
  EXPECT_EQ(eval(eq, column_of(21), "-3", "-3"), Y);
  EXPECT_EQ(eval(gt, column_of(26), "3000000000", "4294967295"), Y);
}

TEST(FilterEvalInteger, negation_of_every_comparison_operator) {
  using enum filter_op;
  EXPECT_EQ(eval_not(eq, int4, "5", "5"), N);
  EXPECT_EQ(eval_not(eq, int4, "5", "6"), Y);
  EXPECT_EQ(eval_not(neq, int4, "5", "5"), Y);
  EXPECT_EQ(eval_not(lt, int4, "5", "4"), N);
  EXPECT_EQ(eval_not(lt, int4, "5", "5"), Y);
  EXPECT_EQ(eval_not(lte, int4, "5", "6"), Y);
  EXPECT_EQ(eval_not(gt, int4, "5", "5"), Y);
  EXPECT_EQ(eval_not(gte, int4, "5", "4"), Y);
  EXPECT_EQ(eval_not(gte, int4, "5", "5"), N);
}

TEST(FilterEvalNull, comparisons_with_null_are_unknown_and_so_is_their_negation) {
  for (auto op : {filter_op::eq, filter_op::neq, filter_op::lt, filter_op::lte, filter_op::gt, filter_op::gte}) {
    SCOPED_TRACE(std::string{to_string(op)});
    EXPECT_EQ(eval(op, int4, "5", null), U);
    EXPECT_EQ(eval_not(op, int4, "5", null), U);
    EXPECT_EQ(eval(op, int4, std::nullopt, "5"), U);
    EXPECT_EQ(eval_not(op, int4, std::nullopt, "5"), U);
    EXPECT_EQ(eval(op, text, "a", null), U);
  }
}

TEST(FilterEvalNull, patterns_with_null_are_unknown) {
  for (auto op : {filter_op::like, filter_op::ilike, filter_op::match, filter_op::imatch}) {
    SCOPED_TRACE(std::string{to_string(op)});
    EXPECT_EQ(eval(op, text, "a", null), U);
    EXPECT_EQ(eval_not(op, text, "a", null), U);
    EXPECT_EQ(eval(op, text, std::nullopt, "a"), U);
  }
}

TEST(FilterEvalInteger, junk_operands_do_not_compile_and_junk_values_are_unknown) {
  EXPECT_EQ(error(filter_op::eq, int4, {"abc"}), "invalid int4 value for eq filter: \"abc\"");
  EXPECT_EQ(error(filter_op::lt, int8, {"99999999999999999999"}),
            "invalid int8 value for lt filter: \"99999999999999999999\"");
  EXPECT_EQ(error(filter_op::eq, int4, {"1", "2"}), "operator eq takes exactly one value, got 2");
  EXPECT_EQ(error(filter_op::eq, int4, {}), "operator eq takes exactly one value, got 0");
  EXPECT_EQ(eval(filter_op::eq, int4, "5", "five"), U);
  EXPECT_EQ(eval_not(filter_op::eq, int4, "5", "5x"), U);
  EXPECT_EQ(eval(filter_op::eq, int4, "5", ""), U);
}

// ------------------------------------------------------------------ floats

TEST(FilterEvalFloat, nan_is_equal_to_itself_and_greater_than_everything) {
  using enum filter_op;
  for (std::uint32_t oid : {700u, 701u}) {
    auto f = column_of(oid);
    SCOPED_TRACE(oid);
    EXPECT_EQ(eval(eq, f, "NaN", "NaN"), Y);
    EXPECT_EQ(eval(gt, f, "Infinity", "NaN"), Y);
    EXPECT_EQ(eval(lt, f, "NaN", "Infinity"), Y);
    EXPECT_EQ(eval(neq, f, "NaN", "1"), Y);
    EXPECT_EQ(eval(gte, f, "NaN", "NaN"), Y);
    EXPECT_EQ(eval(lt, f, "-Infinity", "-1e+30"), N);
    EXPECT_EQ(eval(gt, f, "-Infinity", "-1e+30"), Y);
    EXPECT_EQ(eval(eq, f, "0", "-0"), Y);
    EXPECT_EQ(eval(lt, f, "0.1", "0.09999999"), Y);
    EXPECT_EQ(eval(eq, f, "1.5e-07", "1.5e-07"), Y);
    EXPECT_EQ(eval(lt, f, "2", "1e+01"), N);
  }
  EXPECT_EQ(eval(gt, column_of(701), "1e+300", "Infinity"), Y);
  EXPECT_EQ(eval(lt, column_of(701), "1e-300", "1e-301"), Y);
  EXPECT_EQ(eval(filter_op::in, column_of(701), "NaN", "NaN"), Y);
}

// ------------------------------------------------------------------ numeric

TEST(FilterEvalNumeric, exact_decimal_comparison_of_any_length_and_scale) {
  using enum filter_op;
  auto n = column_of(1700);
  EXPECT_EQ(eval(eq, n, "1.00", "1.0"), Y);
  EXPECT_EQ(eval(eq, n, "1", "1.000000000000"), Y);
  EXPECT_EQ(eval(eq, n, "0.00", "0"), Y);
  EXPECT_EQ(eval(eq, n, "100", "100.0"), Y);
  EXPECT_EQ(eval(eq, n, "100", "10"), N);
  EXPECT_EQ(eval(lt, n, "123456789012345678901234567890.000000000000000000000000000002",
                 "123456789012345678901234567890.000000000000000000000000000001"),
            Y);
  EXPECT_EQ(eval(eq, n, "123456789012345678901234567890.000000000000000000000000000002",
                 "123456789012345678901234567890.000000000000000000000000000001"),
            N);
  // beyond double precision: these are the same double
  EXPECT_EQ(eval(gt, n, "9007199254740992", "9007199254740993"), Y);
  EXPECT_EQ(eval(gt, n, "9.99999999999999999999", "10"), Y);
  EXPECT_EQ(eval(lt, n, "0.05", "0.5"), N);
  EXPECT_EQ(eval(gt, n, "0.05", "0.5"), Y);
  EXPECT_EQ(eval(lt, n, "-99.5", "-100"), Y);
  EXPECT_EQ(eval(gt, n, "-99.5", "-99.4999"), Y);
  EXPECT_EQ(eval(lt, n, "0", "-0.0000001"), Y);
  EXPECT_EQ(eval(gt, n, "0", "0.0000001"), Y);
  EXPECT_EQ(eval(eq, n, "1e3", "1000.00"), Y);
}

TEST(FilterEvalNumeric, nan_and_infinities) {
  using enum filter_op;
  auto n = column_of(1700);
  EXPECT_EQ(eval(eq, n, "NaN", "NaN"), Y);
  EXPECT_EQ(eval(gt, n, "Infinity", "NaN"), Y);
  EXPECT_EQ(eval(lt, n, "Infinity", "99999999999999999999999999"), Y);
  EXPECT_EQ(eval(gt, n, "-Infinity", "-99999999999999999999999999"), Y);
  EXPECT_EQ(eval(eq, n, "Infinity", "Infinity"), Y);
  EXPECT_EQ(eval(lt, n, "-Infinity", "-Infinity"), N);
  EXPECT_EQ(eval(eq, n, "1", "1.2.3"), U);
  EXPECT_EQ(error(eq, n, {"1,5"}), "invalid numeric value for eq filter: \"1,5\"");
}

// ------------------------------------------------------------------ bool

TEST(FilterEvalBool, false_sorts_before_true) {
  using enum filter_op;
  EXPECT_EQ(eval(eq, boolean, "t", "t"), Y);
  EXPECT_EQ(eval(eq, boolean, "t", "f"), N);
  EXPECT_EQ(eval(lt, boolean, "t", "f"), Y);
  EXPECT_EQ(eval(gt, boolean, "t", "f"), N);
  EXPECT_EQ(eval(gte, boolean, "f", "t"), Y);
  EXPECT_EQ(eval(neq, boolean, "f", "t"), Y);
  EXPECT_EQ(eval(eq, boolean, "f", "yes"), U);
}

// ------------------------------------------------------------------ is

TEST(FilterEvalIs, is_null_on_any_type_and_never_unknown) {
  using enum filter_op;
  EXPECT_EQ(eval(is, int4, "null", null), Y);
  EXPECT_EQ(eval(is, int4, "null", "5"), N);
  EXPECT_EQ(eval_not(is, int4, "null", null), N);
  EXPECT_EQ(eval_not(is, int4, "null", "5"), Y);
  EXPECT_EQ(eval(is, text, "NULL", ""), N);
  EXPECT_EQ(eval(is, column_of(114), "null", "{}"), N);
  EXPECT_EQ(eval(is, column_of(3802), "null", null), Y);
}

TEST(FilterEvalIs, is_true_false_unknown_on_booleans) {
  using enum filter_op;
  EXPECT_EQ(eval(is, boolean, "true", "t"), Y);
  EXPECT_EQ(eval(is, boolean, "true", "f"), N);
  EXPECT_EQ(eval(is, boolean, "true", null), N);
  EXPECT_EQ(eval_not(is, boolean, "true", null), Y);
  EXPECT_EQ(eval_not(is, boolean, "true", "t"), N);
  EXPECT_EQ(eval(is, boolean, "false", "f"), Y);
  EXPECT_EQ(eval(is, boolean, "false", null), N);
  EXPECT_EQ(eval_not(is, boolean, "false", "t"), Y);
  EXPECT_EQ(eval(is, boolean, "unknown", null), Y);
  EXPECT_EQ(eval(is, boolean, "unknown", "f"), N);
  EXPECT_EQ(eval_not(is, boolean, "unknown", "f"), Y);
  EXPECT_EQ(eval(is, boolean, "TRUE", "t"), Y);
}

TEST(FilterEvalIs, keywords_other_than_null_need_a_boolean_column) {
  EXPECT_EQ(error(filter_op::is, int4, {"true"}), "is true filter requires a boolean column, got int4");
  EXPECT_EQ(error(filter_op::is, text, {"unknown"}), "is unknown filter requires a boolean column, got text");
  EXPECT_EQ(error(filter_op::is, boolean, {"maybe"}),
            "invalid value for `is` filter: \"maybe\" (expected null, true, false or unknown)");
}

// ------------------------------------------------------------------ isdistinct

TEST(FilterEvalIsDistinct, null_aware_and_never_unknown) {
  using enum filter_op;
  EXPECT_EQ(eval(isdistinct, int4, "5", "5"), N);
  EXPECT_EQ(eval(isdistinct, int4, "5", "6"), Y);
  EXPECT_EQ(eval(isdistinct, int4, "5", null), Y);
  EXPECT_EQ(eval(isdistinct, int4, std::nullopt, null), N);
  EXPECT_EQ(eval(isdistinct, int4, std::nullopt, "5"), Y);
  EXPECT_EQ(eval_not(isdistinct, int4, "5", "5"), Y);
  EXPECT_EQ(eval_not(isdistinct, int4, "5", null), N);
  EXPECT_EQ(eval_not(isdistinct, int4, std::nullopt, null), Y);
  EXPECT_EQ(eval(isdistinct, column_of(1700), "1.0", "1"), N);
  EXPECT_EQ(eval(isdistinct, text, "a", "a "), Y);
}

// ------------------------------------------------------------------ in

TEST(FilterEvalIn, any_element_equal) {
  auto f = compile(filter_op::in, int4, {"1", "2", "3"});
  ASSERT_TRUE(f);
  EXPECT_EQ(evaluate(*f, "2"), Y);
  EXPECT_EQ(evaluate(*f, "4"), N);
  EXPECT_EQ(evaluate(*f, null), U);
  EXPECT_EQ(evaluate(*f, "x"), U);
  auto n = compile(filter_op::in, column_of(1700), {"1.50", "2"});
  ASSERT_TRUE(n);
  EXPECT_EQ(evaluate(*n, "1.5"), Y);
}

TEST(FilterEvalIn, null_elements_make_a_miss_unknown) {
  auto f = compile(filter_op::in, int4, {"1", std::nullopt});
  ASSERT_TRUE(f);
  EXPECT_EQ(evaluate(*f, "1"), Y);
  EXPECT_EQ(evaluate(*f, "2"), U);
  auto negated = compile(filter_op::in, int4, {"1", std::nullopt}, true);
  ASSERT_TRUE(negated);
  EXPECT_EQ(evaluate(*negated, "1"), N);
  EXPECT_EQ(evaluate(*negated, "2"), U);
  EXPECT_EQ(evaluate(*negated, null), U);
  auto plain_negated = compile(filter_op::in, int4, {"1", "3"}, true);
  ASSERT_TRUE(plain_negated);
  EXPECT_EQ(evaluate(*plain_negated, "2"), Y);
}

TEST(FilterEvalIn, an_empty_list_is_false_even_for_null) {
  auto f = compile(filter_op::in, int4, {});
  ASSERT_TRUE(f);
  EXPECT_EQ(evaluate(*f, "1"), N);
  EXPECT_EQ(evaluate(*f, null), N);
}

TEST(FilterEvalIn, at_most_100_values) {
  auto f = compile(filter_op::in, int4, numbers(1, 100));
  ASSERT_TRUE(f);
  EXPECT_EQ(evaluate(*f, "100"), Y);
  EXPECT_EQ(evaluate(*f, "101"), N);
  EXPECT_EQ(error(filter_op::in, int4, numbers(1, 101)), "too many values for `in` filter. Maximum 100");
  EXPECT_EQ(error(filter_op::in, int4, {"1", "b"}), "invalid int4 value for in filter: \"b\"");
}

TEST(FilterEvalIn, text_elements_by_bytes_whatever_the_collation) {
  auto f = compile(filter_op::in, column_of(25, "no_SUCH.locale"), {"a", "B"});
  ASSERT_TRUE(f);
  EXPECT_EQ(evaluate(*f, "B"), Y);
  EXPECT_EQ(evaluate(*f, "b"), N);
}

// ------------------------------------------------------------------ text

TEST(FilterEvalText, equality_is_byte_equality) {
  using enum filter_op;
  EXPECT_EQ(eval(eq, text, "héllo", "héllo"), Y);
  EXPECT_EQ(eval(eq, text, "a", "A"), N);
  EXPECT_EQ(eval(eq, text, "a", "a "), N);
  EXPECT_EQ(eval(neq, column_of(1043), "a", "a "), Y);
  EXPECT_EQ(eval(eq, column_of(19), "users", "users"), Y);
  EXPECT_EQ(eval(eq, column_of(25, "no_SUCH.locale"), "a", "a"), Y);
}

TEST(FilterEvalText, c_collation_orders_by_bytes) {
  using enum filter_op;
  EXPECT_EQ(eval(lt, text, "a", "B"), Y);
  EXPECT_EQ(eval(lt, text, "e", "E"), Y);
  EXPECT_EQ(eval(gt, text, "ab", "a b"), N);
  EXPECT_EQ(eval(lt, text, "ab", "abc"), N);
  EXPECT_EQ(eval(gt, text, "ab", "abc"), Y);
  EXPECT_EQ(eval(gt, column_of(25, "POSIX"), "z", "é"), Y);
  EXPECT_EQ(eval(gte, column_of(19), "b", "a"), N);
}

TEST(FilterEvalText, locale_collation_orders_like_postgres) {
  using enum filter_op;
  // Expected values are PostgreSQL 15's with a glibc en_US.utf8 collation.
  if (!has_locale("en_US.utf8"))
    GTEST_SKIP() << "locale en_US.utf8 is not installed (locale -a); run with LOCPATH set to a "
                    "directory made by `localedef -i en_US -f UTF-8 <dir>/en_US.utf8`";
  auto en = column_of(25, "en_US.utf8");
  EXPECT_EQ(eval(lt, en, "B", "a"), Y);       // bytes would say no
  EXPECT_EQ(eval(gt, en, "E", "e"), N);
  EXPECT_EQ(eval(lt, en, "E", "e"), Y);       // e < E in en_US
  EXPECT_EQ(eval(lt, en, "ab", "a b"), Y);    // spaces are ignored first
  EXPECT_EQ(eval(gt, en, "ab", "a b"), N);
  EXPECT_EQ(eval(lt, en, "f", "é"), Y);       // é sorts with e
  EXPECT_EQ(eval(eq, en, "a", "a"), Y);
  EXPECT_EQ(eval(lte, en, "a", "a"), Y);
}

TEST(FilterEvalText, c_utf8_collation_orders_by_code_point) {
  using enum filter_op;
  if (!has_locale("C.utf8"))
    GTEST_SKIP() << "locale C.utf8 is not installed";
  auto c_utf8 = column_of(25, "C.utf8");
  EXPECT_EQ(eval(lt, c_utf8, "a", "B"), Y);
  EXPECT_EQ(eval(gt, c_utf8, "z", "é"), Y);
  EXPECT_EQ(eval(gte, c_utf8, "é", "é"), Y);
}

TEST(FilterEvalText, ordering_by_a_missing_locale_does_not_compile) {
  EXPECT_EQ(error(filter_op::lt, column_of(25, "no_SUCH.locale"), {"a"}),
            "operator lt cannot order by collation \"no_SUCH.locale\": that locale is not available on this server");
}

TEST(FilterEvalText, bpchar_ignores_trailing_spaces_when_comparing) {
  using enum filter_op;
  auto bpchar = column_of(1042);
  EXPECT_EQ(eval(eq, bpchar, "ab", "ab  "), Y);
  EXPECT_EQ(eval(eq, bpchar, "ab  ", "ab"), Y);
  EXPECT_EQ(eval(eq, bpchar, " ab", "ab"), N);
  EXPECT_EQ(eval(lt, bpchar, "ab", "ab  "), N);
  EXPECT_EQ(eval(gt, bpchar, "ab", "ab  "), N);
  EXPECT_EQ(eval(lt, bpchar, "ab\t", "ab  "), Y); // "ab  " > "ab\t" if spaces counted
  EXPECT_EQ(eval(isdistinct, bpchar, "x", "x "), N);
  auto in_list = compile(filter_op::in, bpchar, {"a ", "b"});
  ASSERT_TRUE(in_list);
  EXPECT_EQ(evaluate(*in_list, "a"), Y);
}

TEST(FilterEvalText, single_byte_char_type_orders_unsigned) {
  using enum filter_op;
  auto c = column_of(18);
  EXPECT_EQ(eval(gt, c, "a", "\\377"), Y);
  EXPECT_EQ(eval(lt, c, "a", "B"), Y);
  EXPECT_EQ(eval(eq, c, "", ""), Y);
  EXPECT_EQ(eval(lt, c, "a", ""), Y);
}

// ------------------------------------------------------------------ uuid

TEST(FilterEvalUuid, byte_order_of_the_canonical_text) {
  using enum filter_op;
  auto u = column_of(2950);
  EXPECT_EQ(eval(eq, u, "639f86b1-738b-43ed-bb09-c8d3f3bafa30", "639f86b1-738b-43ed-bb09-c8d3f3bafa30"), Y);
  EXPECT_EQ(eval(eq, u, "639f86b1-738b-43ed-bb09-c8d3f3bafa30", "b423f213-ac24-402a-95ea-cf1d94d8e9f0"), N);
  EXPECT_EQ(eval(gt, u, "639f86b1-738b-43ed-bb09-c8d3f3bafa30", "b423f213-ac24-402a-95ea-cf1d94d8e9f0"), Y);
  EXPECT_EQ(eval(lt, u, "a0000000-0000-0000-0000-000000000000", "90000000-0000-0000-0000-000000000000"), Y);
  EXPECT_EQ(eval(eq, u, "639f86b1-738b-43ed-bb09-c8d3f3bafa30", "not-a-uuid"), U);
  EXPECT_EQ(error(eq, u, {"639f86b1"}), "invalid uuid value for eq filter: \"639f86b1\"");
}

// ------------------------------------------------------------------ date and time

TEST(FilterEvalTimestamp, dates_across_bc_ad_infinity_and_long_years) {
  using enum filter_op;
  auto d = column_of(1082);
  EXPECT_EQ(eval(lt, d, "0001-01-01", "0001-01-01 BC"), Y);
  EXPECT_EQ(eval(lt, d, "0001-01-01 BC", "0044-03-15 BC"), Y);
  EXPECT_EQ(eval(gt, d, "0001-01-01 BC", "0044-03-15 BC"), N);
  EXPECT_EQ(eval(gt, d, "9999-12-31", "12345-01-01"), Y);
  EXPECT_EQ(eval(lt, d, "12345-01-01", "9999-12-31"), Y);
  EXPECT_EQ(eval(lt, d, "100000-01-01", "99999-12-31"), Y);
  EXPECT_EQ(eval(gt, d, "5874897-12-31", "infinity"), Y);
  EXPECT_EQ(eval(lt, d, "4713-11-24 BC", "-infinity"), Y);
  EXPECT_EQ(eval(eq, d, "infinity", "infinity"), Y);
  EXPECT_EQ(eval(lt, d, "-infinity", "-infinity"), N);
  EXPECT_EQ(eval(gt, d, "2024-02-28", "2024-02-29"), Y);
  EXPECT_EQ(eval(eq, d, "2025-11-03", "2025-11-03"), Y);
  EXPECT_EQ(eval(eq, d, "2025-11-03", "2025-11-03 10:00:00"), U);
  EXPECT_EQ(error(eq, d, {"2023-02-29"}), "invalid date value for eq filter: \"2023-02-29\"");
}

TEST(FilterEvalTimestamp, timestamps_with_fractions_of_any_length) {
  using enum filter_op;
  auto ts = column_of(1114);
  EXPECT_EQ(eval(gt, ts, "2025-11-03 09:32:55.123456", "2025-11-03 09:32:55.5"), Y);
  EXPECT_EQ(eval(lt, ts, "2025-11-03 09:32:55.5", "2025-11-03 09:32:55.123456"), Y);
  EXPECT_EQ(eval(eq, ts, "2025-11-03 09:32:55.5", "2025-11-03 09:32:55.50"), Y);
  EXPECT_EQ(eval(gt, ts, "2025-11-03 09:32:55", "2025-11-03 09:32:55.000001"), Y);
  EXPECT_EQ(eval(lt, ts, "2025-11-03 09:32:55", "2025-11-03 09:32:54.999999"), Y);
  EXPECT_EQ(eval(lt, ts, "2025-11-04 00:00:00", "2025-11-03 23:59:59.9"), Y);
  EXPECT_EQ(eval(lt, ts, "0001-01-01 00:00:00", "0001-12-31 23:59:59 BC"), Y);
  EXPECT_EQ(eval(gt, ts, "9999-12-31 23:59:59", "10000-01-01 00:00:00"), Y);
  EXPECT_EQ(eval(gt, ts, "294276-12-31 23:59:59.999999", "infinity"), Y);
  EXPECT_EQ(eval(lt, ts, "4713-01-01 00:00:00 BC", "-infinity"), Y);
  EXPECT_EQ(eval(eq, ts, "2025-11-03 09:32:55", "2025-11-03 09:32:55+00"), U);
}

TEST(FilterEvalTimestamp, timestamptz_compares_instants_whatever_the_offset) {
  using enum filter_op;
  auto tz = column_of(1184);
  EXPECT_EQ(eval(eq, tz, "2000-01-01 04:30:00+00", "2000-01-01 10:00:00+05:30"), Y);
  EXPECT_EQ(eval(lt, tz, "2000-01-01 04:30:00+00", "2000-01-01 10:00:00+05:31"), Y);
  EXPECT_EQ(eval(gt, tz, "2000-01-01 00:00:00+00", "1999-12-31 23:00:00-01"), N);
  EXPECT_EQ(eval(eq, tz, "2000-01-01 00:00:00+00", "1999-12-31 23:00:00-01"), Y);
  EXPECT_EQ(eval(gt, tz, "2025-11-03 09:32:55.123+00", "2025-11-03 09:32:55.1229+00"), N);
  EXPECT_EQ(eval(lt, tz, "2025-11-03 09:32:55.123+00", "2025-11-03 09:32:55.1229+00"), Y);
  EXPECT_EQ(eval(lt, tz, "0001-01-01 00:00:00+00", "0044-03-15 10:00:00.5+00 BC"), Y);
  EXPECT_EQ(eval(gt, tz, "12345-06-07 08:09:10+00", "infinity"), Y);
  EXPECT_EQ(eval(lte, tz, "1900-01-01 00:00:00+00", "1900-01-01 00:00:00+00:00:01"), Y);
  EXPECT_EQ(eval(eq, tz, "2000-01-01 00:00:00+00", "2000-01-01 00:00:00"), U);
}

TEST(FilterEvalTime, time_of_day) {
  using enum filter_op;
  auto t = column_of(1083);
  EXPECT_EQ(eval(gt, t, "23:59:59.999999", "24:00:00"), Y);
  EXPECT_EQ(eval(lt, t, "10:00:00", "09:59:59.5"), Y);
  EXPECT_EQ(eval(eq, t, "10:00:00", "10:00:00.000"), Y);
  EXPECT_EQ(eval(eq, t, "10:00:00", "25:00:00"), U);
}

TEST(FilterEvalTime, timetz_orders_by_utc_time_then_offset) {
  using enum filter_op;
  auto t = column_of(1266);
  EXPECT_EQ(eval(eq, t, "09:00:00+00", "10:00:00+01"), N);
  EXPECT_EQ(eval(lt, t, "09:00:00+00", "10:00:00+01"), Y);  // same instant, eastern zone first
  EXPECT_EQ(eval(gt, t, "10:00:00+01", "09:00:00+00"), Y);
  EXPECT_EQ(eval(gt, t, "10:00:00+01", "09:30:00+00"), Y);
  EXPECT_EQ(eval(eq, t, "10:00:00+05:30", "10:00:00+05:30"), Y);
  EXPECT_EQ(eval(lt, t, "00:00:00-01", "23:30:00+00"), N); // no wrap past midnight
}

TEST(FilterEvalInterval, one_month_is_thirty_days_and_a_day_is_24_hours) {
  using enum filter_op;
  auto i = column_of(1186);
  EXPECT_EQ(eval(eq, i, "30 days", "1 mon"), Y);
  EXPECT_EQ(eval(eq, i, "1 mon", "30 days"), Y);
  EXPECT_EQ(eval(lt, i, "25:00:00", "1 day"), Y);
  EXPECT_EQ(eval(eq, i, "24:00:00", "1 day"), Y);
  EXPECT_EQ(eval(eq, i, "360 days", "1 year"), Y);
  EXPECT_EQ(eval(lt, i, "00:00:00", "-00:00:01"), Y);
  EXPECT_EQ(eval(gt, i, "1 day", "1 day -00:00:01"), N);
  EXPECT_EQ(eval(lt, i, "1 day", "1 day -00:00:01"), Y);
  EXPECT_EQ(eval(lt, i, "1 year 2 mons 3 days 04:05:06.79", "1 year 2 mons 3 days 04:05:06.789"), Y);
  EXPECT_EQ(eval(eq, i, "-10 mons -3 days +04:05:06.7", "-1 years +2 mons -3 days +04:05:06.7"), Y);
  EXPECT_EQ(eval(lt, i, "-1 years -2 mons", "-1 years -2 mons -00:00:00.000001"), Y);
  EXPECT_EQ(eval(lt, i, "178000000 years", "2562047788:00:54.775807"), Y);
  EXPECT_EQ(eval(lt, i, "-2562047788:00:54.775807", "-178000000 years"), Y);
  EXPECT_EQ(eval(gt, i, "178000000 years", "infinity"), Y);
  EXPECT_EQ(eval(lt, i, "-178000000 years", "-infinity"), Y);
  EXPECT_EQ(eval(eq, i, "1 day", "1 fortnight"), U);
  EXPECT_EQ(error(eq, i, {"P1D"}), "invalid interval value for eq filter: \"P1D\"");
}

TEST(FilterEvalInterval, each_unit_at_most_once_and_in_output_order) {
  // interval_out never repeats a unit; sums of repeated ones could overflow.
  using enum filter_op;
  auto i = column_of(1186);
  EXPECT_EQ(eval(eq, i, "2 days", "1 day 1 day"), U);
  EXPECT_EQ(eval(eq, i, "14 mons", "2 mons 1 year"), U);
  EXPECT_EQ(eval(eq, i, "14 mons", "1 year 2 mons"), Y);
  EXPECT_EQ(error(eq, i, {"1 year 1 year"}), "invalid interval value for eq filter: \"1 year 1 year\"");
}

// ------------------------------------------------------------------ enum

TEST(FilterEvalEnum, ordered_by_label_position) {
  using enum filter_op;
  auto mood = column_of(16385, "C", {"sad", "ok", "happy"});
  EXPECT_EQ(eval(eq, mood, "ok", "ok"), Y);
  EXPECT_EQ(eval(gt, mood, "ok", "happy"), Y);
  EXPECT_EQ(eval(gt, mood, "ok", "sad"), N);   // "sad" > "ok" as text, not as enum
  EXPECT_EQ(eval(lt, mood, "ok", "sad"), Y);
  EXPECT_EQ(eval(eq, mood, "ok", "angry"), U);
  EXPECT_EQ(error(eq, mood, {"angry"}), "invalid enum (type oid 16385) value for eq filter: \"angry\"");
  auto in_list = compile(filter_op::in, mood, {"sad", "happy"});
  ASSERT_TRUE(in_list);
  EXPECT_EQ(evaluate(*in_list, "happy"), Y);
  EXPECT_EQ(evaluate(*in_list, "ok"), N);
}

// ------------------------------------------------------------------ json and others

TEST(FilterEvalJson, json_has_no_equality) {
  auto json = column_of(114);
  for (auto op : {filter_op::eq, filter_op::neq, filter_op::lt, filter_op::gte, filter_op::in,
                  filter_op::isdistinct})
    EXPECT_EQ(error(op, json, {"{}"}), "operator " + std::string{to_string(op)} +
                                          " is not supported for column type json");
  EXPECT_EQ(error(filter_op::eq, column_of(142), {"<a/>"}), "operator eq is not supported for column type xml");
  EXPECT_EQ(error(filter_op::eq, column_of(603), {"(1,1),(0,0)"}),
            "operator eq is not supported for column type type oid 603");
}

TEST(FilterEvalJson, jsonb_equality_compares_numbers_as_numbers) {
  using enum filter_op;
  auto jsonb = column_of(3802);
  EXPECT_EQ(eval(eq, jsonb, R"({"a": 1})", R"({"a": 1.0})"), Y);
  EXPECT_EQ(eval(eq, jsonb, R"({"a": [1.50, "x"], "b": 1})", R"({"a": [1.5, "x"], "b": 1})"), Y);
  EXPECT_EQ(eval(eq, jsonb, R"({"a": 1})", R"({"a": 2})"), N);
  EXPECT_EQ(eval(eq, jsonb, R"({"a": "1.0"})", R"({"a": "1"})"), N);
  EXPECT_EQ(eval(eq, jsonb, R"([-0.50, 1e2])", R"([-0.5, 100])"), Y);
  EXPECT_EQ(eval(neq, jsonb, R"("x")", R"("y")"), Y);
  EXPECT_EQ(eval(isdistinct, jsonb, R"({"a": 1})", null), Y);
  EXPECT_EQ(error(lt, jsonb, {"{}"}), "operator lt is not supported for column type jsonb");
  EXPECT_EQ(error(like, jsonb, {"%"}), "operator like requires a text-compatible column type, got jsonb");
}

TEST(FilterEvalOther, equality_by_text_and_no_ordering) {
  using enum filter_op;
  auto ints = column_of(1007);
  EXPECT_EQ(eval(eq, ints, "{1,2}", "{1,2}"), Y);
  EXPECT_EQ(eval(eq, ints, "{1,2}", "{2,1}"), N);
  EXPECT_EQ(eval_not(eq, ints, "{1,2}", "{2,1}"), Y);
  EXPECT_EQ(eval(eq, column_of(17), "\\x0102", "\\x0102"), Y);
  EXPECT_EQ(eval(eq, column_of(99999), "anything", "anything"), Y);
  EXPECT_EQ(error(gt, ints, {"{1}"}), "operator gt is not supported for column type _int4");
  EXPECT_EQ(error(lt, column_of(17), {"\\x01"}), "operator lt is not supported for column type bytea");
  EXPECT_EQ(error(lte, column_of(99999), {"a"}), "operator lte is not supported for column type type oid 99999");
}

// ------------------------------------------------------------------ like

TEST(FilterEvalLike, percent_underscore_and_whole_value) {
  using enum filter_op;
  EXPECT_EQ(eval(like, text, "hey%", "hey there"), Y);
  EXPECT_EQ(eval(like, text, "hey%", "they"), N);
  EXPECT_EQ(eval(like, text, "%there", "hey there"), Y);
  EXPECT_EQ(eval(like, text, "hey", "hey there"), N);
  EXPECT_EQ(eval(like, text, "h_y", "hey"), Y);
  EXPECT_EQ(eval(like, text, "h_y", "hy"), N);
  EXPECT_EQ(eval(like, text, "%", ""), Y);
  EXPECT_EQ(eval(like, text, "_", ""), N);
  EXPECT_EQ(eval(like, text, "a%b%c", "aXbXbXc"), Y);
  EXPECT_EQ(eval(like, text, "a%b%c", "aXbXbXcX"), N);
  EXPECT_EQ(eval(like, text, "%X%c", "aXbXc"), Y);
  EXPECT_EQ(eval(like, text, "a%%_", "a"), N);
  EXPECT_EQ(eval(like, text, "Hey", "hey"), N);
  EXPECT_EQ(eval_not(like, text, "hey%", "they"), Y);
  EXPECT_EQ(eval_not(like, text, "hey%", "hey"), N);
  EXPECT_EQ(eval(like, column_of(1043), "a%", "abc"), Y);
  EXPECT_EQ(eval(like, column_of(19), "pg\\_%", "pg_class"), Y);
}

TEST(FilterEvalLike, backslash_escapes) {
  using enum filter_op;
  EXPECT_EQ(eval(like, text, "100\\%", "100%"), Y);
  EXPECT_EQ(eval(like, text, "100\\%", "1000"), N);
  EXPECT_EQ(eval(like, text, "a\\_c", "a_c"), Y);
  EXPECT_EQ(eval(like, text, "a\\_c", "abc"), N);
  EXPECT_EQ(eval(like, text, "a\\\\c", "a\\c"), Y);
  EXPECT_EQ(eval(like, text, "\\a\\b", "ab"), Y);
  EXPECT_EQ(error(like, text, {"abc\\"}), "LIKE pattern must not end with escape character");
}

TEST(FilterEvalLike, underscore_is_one_utf8_character) {
  using enum filter_op;
  EXPECT_EQ(eval(like, text, "h_llo", "héllo"), Y);
  EXPECT_EQ(eval(like, text, "h__llo", "héllo"), N);
  EXPECT_EQ(eval(like, text, "__語", "日本語"), Y);
  EXPECT_EQ(eval(like, text, "___", "日本語"), Y);
  EXPECT_EQ(eval(like, text, "____", "日本語"), N);
  EXPECT_EQ(eval(like, text, "%本%", "日本語"), Y);
  EXPECT_EQ(eval(like, text, "_😀", "a😀"), Y);
}

TEST(FilterEvalLike, ilike_ignores_case) {
  using enum filter_op;
  EXPECT_EQ(eval(ilike, text, "hello%", "HeLLo World"), Y);
  EXPECT_EQ(eval(ilike, text, "HELLO", "hello"), Y);
  EXPECT_EQ(eval(ilike, text, "h_llo", "HÉLLO"), Y);
  EXPECT_EQ(eval(ilike, text, "hello", "help"), N);
  EXPECT_EQ(eval_not(ilike, text, "HELLO", "hello"), N);
  // PostgreSQL folds only ASCII under the C collation...
  EXPECT_EQ(eval(ilike, text, "é", "É"), N);
  // ... and every letter under a locale.
  if (!has_locale("C.utf8"))
    GTEST_SKIP() << "locale C.utf8 is not installed";
  EXPECT_EQ(eval(ilike, column_of(25, "C.utf8"), "é%", "École"), Y);
  EXPECT_EQ(eval(ilike, column_of(25, "C.utf8"), "ÉCOLE", "école"), Y);
}

TEST(FilterEvalLike, bpchar_values_keep_their_padding_and_patterns_lose_theirs) {
  using enum filter_op;
  auto bpchar = column_of(1042);
  // char(4) 'ab' arrives as "ab  "; results as PostgreSQL 15 gives them.
  EXPECT_EQ(eval(like, bpchar, "ab", "ab  "), N);
  EXPECT_EQ(eval(like, bpchar, "ab%", "ab  "), Y);
  EXPECT_EQ(eval(like, bpchar, "a___", "ab  "), Y);
  EXPECT_EQ(eval(like, bpchar, "ab  ", "ab  "), N);
  EXPECT_EQ(eval(match, bpchar, "b$", "ab  "), N);
  EXPECT_EQ(eval(match, bpchar, "b  $", "ab  "), Y);
}

TEST(FilterEvalLike, only_text_columns) {
  using enum filter_op;
  for (auto op : {like, ilike, match, imatch})
    EXPECT_EQ(error(op, int4, {"1%"}),
              "operator " + std::string{to_string(op)} + " requires a text-compatible column type, got int4");
  EXPECT_EQ(error(like, column_of(18), {"a"}), "operator like requires a text-compatible column type, got char");
  EXPECT_EQ(error(match, column_of(114), {"a"}), "operator match requires a text-compatible column type, got json");
}

// ------------------------------------------------------------------ regex

TEST(FilterEvalMatch, unanchored_search_and_anchors) {
  using enum filter_op;
  EXPECT_EQ(eval(match, text, "ell", "hello"), Y);
  EXPECT_EQ(eval(match, text, "^h", "hello"), Y);
  EXPECT_EQ(eval(match, text, "^e", "hello"), N);
  EXPECT_EQ(eval(match, text, "o$", "hello"), Y);
  EXPECT_EQ(eval(match, text, "l$", "hello"), N);
  EXPECT_EQ(eval(match, text, "^(foo|bar)+[0-9]{2}$", "foobar42"), Y);
  EXPECT_EQ(eval(match, text, "^(foo|bar)+[0-9]{2}$", "foobar4"), N);
  EXPECT_EQ(eval(match, text, "ELL", "hello"), N);
  EXPECT_EQ(eval(match, text, "a\\.b", "a.b"), Y);
  EXPECT_EQ(eval(match, text, "a\\.b", "axb"), N);
  EXPECT_EQ(eval(match, text, "[[:digit:]]", "abc"), N);
  EXPECT_EQ(eval(match, text, "[]x]", "a]"), Y);
  EXPECT_EQ(eval_not(match, text, "^h", "hello"), N);
  EXPECT_EQ(eval_not(match, text, "^x", "hello"), Y);
}

TEST(FilterEvalMatch, characters_are_utf8_code_points) {
  using enum filter_op;
  EXPECT_EQ(eval(match, text, "^.$", "é"), Y);
  EXPECT_EQ(eval(match, text, "^h.llo$", "héllo"), Y);
  EXPECT_EQ(eval(match, text, "^[日本]+語$", "日本語"), Y);
}

TEST(FilterEvalMatch, imatch_ignores_case) {
  using enum filter_op;
  EXPECT_EQ(eval(imatch, text, "^HEL", "hello"), Y);
  EXPECT_EQ(eval(imatch, text, "^hel", "HELLO"), Y);
  EXPECT_EQ(eval(imatch, text, "^x", "HELLO"), N);
  EXPECT_EQ(eval_not(imatch, text, "^hel", "HELLO"), N);
}

TEST(FilterEvalMatch, bad_patterns_do_not_compile) {
  using enum filter_op;
  auto bad = error(match, text, {"a("});
  EXPECT_EQ(bad.rfind("invalid regular expression for match filter: ", 0), 0u) << bad;
  EXPECT_GT(bad.size(), std::string{"invalid regular expression for match filter: "}.size());
  auto bad_i = error(imatch, text, {"[a"});
  EXPECT_EQ(bad_i.rfind("invalid regular expression for imatch filter: ", 0), 0u) << bad_i;
}

TEST(FilterEvalMatch, non_greedy_quantifiers_match_as_in_postgres) {
  using enum filter_op;
  // select 'abc' ~ 'x+?' is false in PostgreSQL; ERE would read (x+)?.
  EXPECT_EQ(eval(match, text, "x+?", "abc"), N);
  EXPECT_EQ(eval(match, text, "b+?c", "abc"), Y);
  EXPECT_EQ(eval(match, text, "x*?", "abc"), Y);
  EXPECT_EQ(eval(match, text, "^ax??b", "ab"), Y);
  EXPECT_EQ(eval(match, text, "^a{2}?$", "aa"), Y);
  EXPECT_EQ(eval(match, text, "^a{2,}?$", "a"), N);
  EXPECT_EQ(eval(match, text, "^a{1,2}?b", "aab"), Y);
  EXPECT_EQ(eval(imatch, text, "X+?", "abc"), N);
  // A lone } is a literal, so its ? is a quantifier.
  EXPECT_EQ(eval(match, text, "^x}?$", "x"), Y);
}

TEST(FilterEvalMatch, a_brace_not_starting_a_bound_is_a_literal) {
  using enum filter_op;
  EXPECT_EQ(eval(match, text, "a{x", "a{x"), Y);
  EXPECT_EQ(eval(match, text, "^a{,2}$", "a{,2}"), Y);
  EXPECT_EQ(eval(match, text, "^a{,2}$", "aa"), N);
}

TEST(FilterEvalMatch, patterns_that_could_stall_matching_are_refused) {
  using enum filter_op;
  EXPECT_EQ(error(match, text, {"(a)\\1"}),
            "unsupported regular expression for match filter: back-references (\\1 to \\9) are "
            "refused: matching them can take exponential time");
  auto too_large = "patterns larger than 255 once repetitions are expanded (each character, "
                   "escape, bracket or dot counted once per copy: a{3} is 3, (ab){3}c is 7) are "
                   "refused";
  EXPECT_EQ(error(imatch, text, {"(a{16}){16}"}),
            std::string{"unsupported regular expression for imatch filter: "} + too_large);
  EXPECT_EQ(error(match, text, {"a{200}b{56}"}),
            std::string{"unsupported regular expression for match filter: "} + too_large);
  EXPECT_EQ(error(match, text, {std::string(1001, 'a')}),
            "unsupported regular expression for match filter: patterns longer than 1000 bytes are "
            "refused");
  EXPECT_EQ(eval(match, text, std::string(255, 'a'), std::string(300, 'a')), Y);
  EXPECT_EQ(eval(match, text, "^(a{15}){17}$", std::string(255, 'a')), Y);
  EXPECT_EQ(eval(match, text, "^a{200}b{55}$", std::string(200, 'a') + std::string(55, 'b')), Y);
}

TEST(FilterEvalMatch, a_quantifier_after_a_quantifier_is_refused_as_in_postgres) {
  using enum filter_op;
  // PostgreSQL: invalid regular expression: quantifier operand invalid.
  // ERE would read a{2}{3} as six a's and a** as a*.
  for (std::string pattern : {"a**", "a{2}{3}", "a+*", "a???"})
    EXPECT_EQ(error(match, text, {pattern}),
              "unsupported regular expression for match filter: a quantifier right after "
              "another, as in a** or a{2}{3}, is invalid (quantifier operand invalid)")
      << pattern;
  EXPECT_EQ(eval(match, text, "^(a{2}){3}$", "aaaaaa"), Y);
  EXPECT_EQ(eval(match, text, "^(a*)*$", "aaa"), Y);
}

TEST(FilterEvalMatch, the_value_is_searched_where_it_lies) {
  using enum filter_op;
  auto ends_in_c = compile(match, text, {"c$"});
  auto has_x = compile(match, text, {"X"});
  auto empty = compile(match, text, {"^$"});
  ASSERT_TRUE(ends_in_c && has_x && empty);
  std::string_view buffer = "abcX";
  EXPECT_EQ(evaluate(*ends_in_c, buffer.substr(0, 3)), Y);
  EXPECT_EQ(evaluate(*has_x, buffer.substr(0, 3)), N);
  EXPECT_EQ(evaluate(*has_x, buffer.substr(3)), Y);
  EXPECT_EQ(evaluate(*empty, std::string_view{}), Y);
}

TEST(FilterEvalMatch, are_syntax_means_what_it_means_in_postgres) {
  using enum filter_op;
  EXPECT_EQ(eval(match, text, "^\\d+$", "2024"), Y);
  EXPECT_EQ(eval(match, text, "^\\d+$", "20x4"), N);
  EXPECT_EQ(eval(match, text, "a\\w", "a_"), Y);
  EXPECT_EQ(eval(match, text, "\\s", "a\tb"), Y);
  EXPECT_EQ(eval(match, text, "^[\\d.]+$", "1.5"), Y);
  EXPECT_EQ(eval(match, text, "^[^\\W_]+$", "a1"), Y);
  EXPECT_EQ(eval(match, text, "^[^\\W_]+$", "a_1"), N);
  EXPECT_EQ(eval(match, text, "^[a\\D]+$", "a-é"), Y);
  EXPECT_EQ(eval(match, text, "\\yfoo\\y", "a foo b"), Y);
  EXPECT_EQ(eval(match, text, "\\yfoo\\y", "afoo"), N);
  EXPECT_EQ(eval(match, text, "foo\\Y", "foobar"), Y);
  EXPECT_EQ(eval(match, text, "é\\Y", "éé"), Y);
  // Between the two bytes of é is no place at all.
  EXPECT_EQ(eval(match, text, " *\\Y", "aéC s"), N);
  EXPECT_EQ(eval(match, text, "\\Aab\\Z", "ab"), Y);
  EXPECT_EQ(eval(match, text, "^(?:ab)+$", "abab"), Y);
  EXPECT_EQ(eval(match, text, "(?i)^abc", "ABC"), Y);
  EXPECT_EQ(eval(imatch, text, "(?c)^abc", "ABC"), N);
  EXPECT_EQ(eval(match, text, "***=a.b", "a.b"), Y);
  EXPECT_EQ(eval(match, text, "***=a.b", "axb"), N);
  EXPECT_EQ(eval(match, text, "^caf\\u00e9$", "café"), Y);
  EXPECT_EQ(eval(match, text, "a\\Bb", "a\\b"), Y);
  EXPECT_EQ(eval(match, text, "^a.b$", "a\nb"), Y);
  EXPECT_EQ(eval(match, text, "^[a-é]+$", "aè"), Y);
  EXPECT_EQ(eval(match, text, "[(?]", "?"), Y);
  EXPECT_EQ(eval(match, text, "\\(\\?", "(?"), Y);
  EXPECT_EQ(eval(match, text, "[[:alpha:]]", "x"), Y);
  EXPECT_EQ(eval(match, text, "x(?#comment)+y", "xxy"), Y);
}

TEST(FilterEvalMatch, are_syntax_that_re2_lacks_is_refused) {
  using enum filter_op;
  for (std::string pattern : {"\\mfoo\\M", "[[:<:]]foo", "a(?=b)", "(?<!a)b", "[[.hyphen.]]",
                              "[^\\W_]", "(?n)^a", "(?x)a b"}) {
    auto message = error(match, column_of(25, "C.UTF-8"), {pattern});
    EXPECT_EQ(message.rfind("unsupported regular expression for match filter: ", 0), 0u)
      << pattern << ": " << message;
  }
  EXPECT_EQ(error(match, text, {"a(?=b)"}),
            "unsupported regular expression for match filter: a lookahead or lookbehind "
            "constraint ((?=, (?!, (?<= or (?<!) is PostgreSQL ARE syntax that RE2 lacks");
}

TEST(FilterEvalMatch, character_classes_follow_the_collation) {
  using enum filter_op;
  // PostgreSQL's classes hold ASCII only under "C" and "POSIX", and every
  // letter under a UTF-8 locale; no locale of this host is needed.
  auto utf8 = column_of(25, "en_US.utf8");
  EXPECT_EQ(eval(match, text, "^[[:alpha:]]+$", "ecole"), Y);
  EXPECT_EQ(eval(match, text, "^[[:alpha:]]+$", "école"), N);
  EXPECT_EQ(eval(match, column_of(25, "POSIX"), "^\\w+$", "école"), N);
  EXPECT_EQ(eval(match, utf8, "^[[:alpha:]]+$", "école"), Y);
  EXPECT_EQ(eval(match, utf8, "^\\w+$", "日本語_42"), Y);
  EXPECT_EQ(eval(match, utf8, "^[[:upper:]]", "École"), Y);
  EXPECT_EQ(eval(match, utf8, "[[:punct:]]", "«»"), Y);
  EXPECT_EQ(eval(match, utf8, "\\s", "a\u3000b"), Y);
  EXPECT_EQ(eval(match, text, "\\s", "a\u3000b"), N);
  EXPECT_EQ(eval(match, utf8, "^\\d$", "\u0663"), N); // digit is 0-9 in glibc too
  // Differs from PostgreSQL: RE2's word boundary knows only ASCII word
  // characters, so it sees one between x and é.
  EXPECT_EQ(eval(match, utf8, "x\\y", "xé"), Y);
}

TEST(FilterEvalMatch, imatch_folds_ascii_under_c_and_every_letter_under_a_locale) {
  using enum filter_op;
  auto utf8 = column_of(25, "C.UTF-8");
  EXPECT_EQ(eval(imatch, text, "^STRAßE$", "straße"), Y);
  EXPECT_EQ(eval(imatch, text, "é", "É"), N);
  EXPECT_EQ(eval(imatch, text, "[[:lower:]]", "A"), Y);
  EXPECT_EQ(eval(imatch, text, "[^a]", "A"), N);
  EXPECT_EQ(eval(imatch, utf8, "é", "É"), Y);
  EXPECT_EQ(eval(imatch, utf8, "^ÉCOLE$", "école"), Y);
  EXPECT_EQ(eval(imatch, utf8, "^straße$", "STRAßE"), Y);
  EXPECT_EQ(eval(imatch, utf8, "[[:upper:]]", "é"), Y);
  EXPECT_EQ(eval(match, utf8, "é", "É"), N);
}

// glibc's matcher took 17.9 s for a.*c on 64 KiB and 18 s for the second
// pattern on 16 KiB; these are answered in time linear in the value.
TEST(FilterEvalMatch, patterns_that_stalled_a_backtracking_matcher_are_answered) {
  using enum filter_op;
  std::string as(1 << 20, 'a');
  EXPECT_EQ(eval(match, text, "a.*c", as), N);
  EXPECT_EQ(eval(match, text, "a{254}b", as), N);
  EXPECT_EQ(eval(match, text, "a{254}b", as + "b"), Y);
  std::string ab;
  unsigned state = 1;
  while (ab.size() < (16 << 10)) {
    state = state * 1103515245 + 12345;
    ab += (state >> 16) & 1 ? 'a' : 'b';
  }
  EXPECT_EQ(eval(match, text, "([ab]?){20}a[ab]{20}c", ab), N);
  EXPECT_EQ(eval(match, text, "([ab]?){20}a[ab]{20}c", ab + "a" + std::string(20, 'b') + "c"), Y);
  std::string accents;
  while (accents.size() < (1 << 20))
    accents += "é";
  EXPECT_EQ(eval(match, text, ".{254}x", accents), N);
  EXPECT_EQ(eval(match, text, ".{254}x", accents + "x"), Y);
  EXPECT_EQ(eval(match, text, "a.*c", as + "c"), Y);
}

TEST(FilterEvalMatch, patterns_whose_program_exceeds_the_memory_budget_are_refused) {
  using enum filter_op;
  auto utf8 = column_of(25, "C.UTF-8");
  EXPECT_EQ(error(match, utf8, {"[[:alpha:]]{150}"}),
            "unsupported regular expression for match filter: patterns whose compiled form needs "
            "more than 2 MiB are refused (such as some 100 copies of [[:alpha:]] or \\w under a "
            "collation other than C, each a large Unicode class)");
  EXPECT_EQ(eval(match, utf8, "^[[:alpha:]]{50}", std::string(50, 'x')), Y);
  EXPECT_EQ(eval(match, text, "^[[:alpha:]]{150}", std::string(150, 'x')), Y);
}

TEST(FilterEvalMatch, rules_of_re2_the_size_rule_does_not_cover_give_its_text) {
  using enum filter_op;
  // Repeated empty groups add nothing to the size; RE2 caps the product of
  // nested counts at 1000.
  EXPECT_EQ(error(match, text, {"((){40}){40}"}),
            "unsupported regular expression for match filter: RE2 refuses it: invalid repetition "
            "size: {40}");
  EXPECT_EQ(eval(match, text, "((){20}){20}", "x"), Y);
}

// ------------------------------------------------------------------ values

TEST(FilterEvalCompiled, copies_share_the_compiled_state) {
  auto f = compile(filter_op::match, text, {"^a"}, true);
  ASSERT_TRUE(f);
  compiled_filter copy = *f;
  compiled_filter moved = std::move(*f);
  EXPECT_EQ(evaluate(copy, "abc"), N);
  EXPECT_EQ(evaluate(moved, "xbc"), Y);
  EXPECT_TRUE(copy.negated());
  EXPECT_EQ(copy.op(), filter_op::match);
}

TEST(FilterEvalCompiled, truth_names) {
  EXPECT_EQ(to_string(truth::yes), "yes");
  EXPECT_EQ(to_string(truth::no), "no");
  EXPECT_EQ(to_string(truth::unknown), "unknown");
}
