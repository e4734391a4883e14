#include "rt/replication/filter_eval.hpp"

#include <algorithm>

#include "rt/replication/are_to_re2.hpp"
#include "rt/replication/filter_key.hpp"
#include "rt/replication/like_pattern.hpp"
#include "rt/replication/locale_handle.hpp"
#include "rt/replication/pg_scalar.hpp"
#include "rt/replication/re2_pattern.hpp"
#include "rt/replication/text_cursor.hpp"
#include "rt/replication/type_family.hpp"

namespace rt::replication {

namespace detail {

enum class is_test { null, is_true, is_false, unknown };

struct filter_program {
  filter_op op = filter_op::eq;
  bool negate = false;
  family fam = family::other;
  std::vector<std::string> enum_labels;
  std::vector<std::optional<filter_key>> operands;
  shared_locale collation; // ordering of strings; null for byte order
  is_test is = is_test::null;
  bool has_pattern = false; // like/match with a non-NULL pattern
  std::optional<like_pattern> like;
  std::shared_ptr<const re2_pattern> regex;
};

} // namespace detail

namespace {

using namespace detail;

constexpr std::size_t max_in_values = 100;

using compile_result = tl::expected<void, std::string>;
using operand_list = std::vector<std::optional<std::string>>;

std::optional<filter_key> parse_value(const filter_program& p, std::string_view s) {
  return parse_key(p.fam, p.enum_labels, s);
}

truth to_truth(bool b) { return b ? truth::yes : truth::no; }

truth negate(truth t) {
  if (t == truth::unknown)
    return t;
  return t == truth::yes ? truth::no : truth::yes;
}

// ---------------------------------------------------------------- compiling

std::string op_name(filter_op op) { return std::string{to_string(op)}; }

compile_result refuse(filter_op op, const filter_column& column) {
  return tl::unexpected("operator " + op_name(op) + " is not supported for column type " +
                        type_label(column));
}

bool is_ordering(filter_op op) {
  return op == filter_op::lt || op == filter_op::lte || op == filter_op::gt || op == filter_op::gte;
}

compile_result expect_one_operand(filter_op op, const operand_list& operands) {
  if (operands.size() == 1)
    return {};
  return tl::unexpected("operator " + op_name(op) + " takes exactly one value, got " +
                        std::to_string(operands.size()));
}

compile_result parse_operands(filter_program& p, const filter_column& column,
                              const operand_list& operands) {
  for (const auto& operand : operands) {
    if (!operand) {
      p.operands.emplace_back();
      continue;
    }
    auto parsed = parse_value(p, *operand);
    if (!parsed)
      return tl::unexpected("invalid " + type_label(column) + " value for " + op_name(p.op) +
                            " filter: \"" + *operand + "\"");
    p.operands.push_back(std::move(*parsed));
  }
  return {};
}

compile_result use_collation(filter_program& p, const filter_column& column) {
  if (!is_textual(p.fam) || is_c_collation(column.collation))
    return {};
  p.collation = make_locale(LC_COLLATE_MASK, column.collation);
  if (p.collation)
    return {};
  return tl::unexpected("operator " + op_name(p.op) + " cannot order by collation \"" +
                        column.collation + "\": that locale is not available on this server");
}

// eq, neq, lt, lte, gt, gte, isdistinct and in.
compile_result compile_comparison(filter_program& p, const filter_column& column,
                                  const operand_list& operands) {
  bool ordering = is_ordering(p.op);
  if (!has_equality(p.fam) || (ordering && !has_ordering(p.fam)))
    return refuse(p.op, column);
  if (p.op == filter_op::in && operands.size() > max_in_values)
    return tl::unexpected(std::string{"too many values for `in` filter. Maximum 100"});
  if (p.op != filter_op::in)
    if (auto one = expect_one_operand(p.op, operands); !one)
      return one;
  if (ordering)
    if (auto collation = use_collation(p, column); !collation)
      return collation;
  return parse_operands(p, column, operands);
}

compile_result compile_is(filter_program& p, const filter_column& column,
                          const operand_list& operands) {
  if (auto one = expect_one_operand(p.op, operands); !one)
    return one;
  const auto keyword = operands.front().value_or("");
  constexpr std::pair<std::string_view, is_test> tests[] = {
    {"null", is_test::null}, {"true", is_test::is_true}, {"false", is_test::is_false},
    {"unknown", is_test::unknown}};
  auto named = [&](auto& t) { return iequals(t.first, keyword); };
  auto it = std::find_if(std::begin(tests), std::end(tests), named);
  if (it == std::end(tests))
    return tl::unexpected("invalid value for `is` filter: \"" + keyword +
                          "\" (expected null, true, false or unknown)");
  p.is = it->second;
  if (p.is != is_test::null && p.fam != family::boolean)
    return tl::unexpected("is " + std::string{it->first} +
                          " filter requires a boolean column, got " + type_label(column));
  return {};
}

std::string regex_error(filter_op op, const are_error& e) {
  auto kind = e.what == are_error::kind::invalid ? "invalid" : "unsupported";
  return std::string{kind} + " regular expression for " + op_name(op) + " filter: " + e.reason;
}

are_error engine_refusal(const re2_pattern::error& e) {
  if (e.too_large)
    return {are_error::kind::unsupported,
            "patterns whose compiled form needs more than " +
              std::to_string(re2_pattern::max_memory >> 20) +
              " MiB are refused (such as some 100 copies of [[:alpha:]] or \\w under a collation "
              "other than C, each a large Unicode class)"};
  return {are_error::kind::unsupported, "RE2 refuses it: " + e.text};
}

compile_result compile_regex(filter_program& p, const std::string& pattern,
                             const filter_column& column) {
  auto classes = is_c_collation(column.collation) ? classification::ascii : classification::unicode;
  auto re2 = are_to_re2(pattern, p.op == filter_op::imatch, classes);
  if (!re2)
    return tl::unexpected(regex_error(p.op, re2.error()));
  auto regex = re2_pattern::compile(re2->pattern, re2->fold_case);
  if (!regex)
    return tl::unexpected(regex_error(p.op, engine_refusal(regex.error())));
  p.regex = std::move(*regex);
  return {};
}

compile_result compile_like(filter_program& p, const std::string& pattern,
                            const filter_column& column) {
  auto fold = case_fold::none();
  if (p.op == filter_op::ilike)
    fold = is_c_collation(column.collation) ? case_fold::ascii()
                                            : case_fold::in_locale(ctype_locale(column.collation));
  auto like = like_pattern::compile(pattern, std::move(fold));
  if (!like)
    return tl::unexpected(like.error());
  p.like = std::move(*like);
  return {};
}

compile_result compile_pattern(filter_program& p, const filter_column& column,
                               const operand_list& operands) {
  if (!is_textual(p.fam))
    return tl::unexpected("operator " + op_name(p.op) +
                          " requires a text-compatible column type, got " + type_label(column));
  if (auto one = expect_one_operand(p.op, operands); !one)
    return one;
  if (!operands.front())
    return {};
  p.has_pattern = true;
  // bpchar ~~ text and bpchar ~ text: the pattern reaches text through a
  // cast that drops trailing spaces.
  const auto& raw = *operands.front();
  auto pattern = p.fam == family::bpchar ? trim_trailing_spaces(raw) : raw;
  if (p.op == filter_op::match || p.op == filter_op::imatch)
    return compile_regex(p, pattern, column);
  return compile_like(p, pattern, column);
}

compile_result compile_program(filter_program& p, const filter_column& column,
                               const operand_list& operands) {
  switch (p.op) {
    case filter_op::is: return compile_is(p, column, operands);
    case filter_op::like: case filter_op::ilike: case filter_op::match: case filter_op::imatch:
      return compile_pattern(p, column, operands);
    default: return compile_comparison(p, column, operands);
  }
}

// ---------------------------------------------------------------- evaluating

truth evaluate_comparison(const filter_program& p, std::optional<std::string_view> value) {
  const auto& operand = p.operands.front();
  if (!value || !operand)
    return truth::unknown;
  auto parsed = parse_value(p, *value);
  if (!parsed)
    return truth::unknown;
  int c = compare_keys(*parsed, *operand, p.collation.get());
  switch (p.op) {
    case filter_op::eq: return to_truth(c == 0);
    case filter_op::neq: return to_truth(c != 0);
    case filter_op::lt: return to_truth(c < 0);
    case filter_op::lte: return to_truth(c <= 0);
    case filter_op::gt: return to_truth(c > 0);
    default: return to_truth(c >= 0);
  }
}

// x = any(list): empty lists are false even for a NULL x.
truth evaluate_in(const filter_program& p, std::optional<std::string_view> value) {
  if (p.operands.empty())
    return truth::no;
  auto parsed = value ? parse_value(p, *value) : std::nullopt;
  if (!parsed)
    return truth::unknown;
  bool saw_null = false;
  for (const auto& operand : p.operands) {
    if (!operand)
      saw_null = true;
    else if (compare_keys(*parsed, *operand, nullptr) == 0)
      return truth::yes;
  }
  return saw_null ? truth::unknown : truth::no;
}

truth evaluate_distinct(const filter_program& p, std::optional<std::string_view> value) {
  const auto& operand = p.operands.front();
  if (!value || !operand)
    return to_truth(value.has_value() != operand.has_value());
  auto parsed = parse_value(p, *value);
  if (!parsed)
    return truth::unknown;
  return to_truth(compare_keys(*parsed, *operand, nullptr) != 0);
}

truth evaluate_is(const filter_program& p, std::optional<std::string_view> value) {
  if (p.is == is_test::null || p.is == is_test::unknown)
    return to_truth(!value);
  if (!value)
    return truth::no;
  auto b = parse_bool(*value);
  if (!b)
    return truth::unknown;
  return to_truth((*b == 1) == (p.is == is_test::is_true));
}

truth evaluate_pattern(const filter_program& p, std::optional<std::string_view> value) {
  if (!value || !p.has_pattern)
    return truth::unknown;
  if (p.regex)
    return to_truth(p.regex->search(*value));
  return to_truth(p.like->matches(*value));
}

truth evaluate_program(const filter_program& p, std::optional<std::string_view> value) {
  switch (p.op) {
    case filter_op::in: return evaluate_in(p, value);
    case filter_op::isdistinct: return evaluate_distinct(p, value);
    case filter_op::is: return evaluate_is(p, value);
    case filter_op::like: case filter_op::ilike: case filter_op::match: case filter_op::imatch:
      return evaluate_pattern(p, value);
    default: return evaluate_comparison(p, value);
  }
}

} // namespace

compiled_filter::compiled_filter(std::shared_ptr<const detail::filter_program> program)
  : program_(std::move(program)) {}

filter_op compiled_filter::op() const noexcept { return program_->op; }

bool compiled_filter::negated() const noexcept { return program_->negate; }

tl::expected<compiled_filter, std::string>
compile_filter(const filter_condition& c, const filter_column& column,
               std::vector<std::optional<std::string>> operands) {
  auto program = std::make_shared<filter_program>();
  program->op = c.op;
  program->negate = c.negate;
  program->fam = family_of(column);
  program->enum_labels = column.enum_labels;
  if (auto compiled = compile_program(*program, column, operands); !compiled)
    return tl::unexpected(compiled.error());
  return compiled_filter{std::move(program)};
}

// NOT wraps every operator: for `is` and `isdistinct` that is IS NOT and IS
// NOT DISTINCT FROM, which are never unknown either.
truth evaluate(const compiled_filter& f, std::optional<std::string_view> value) {
  const auto& p = *f.program_;
  auto result = evaluate_program(p, value);
  return p.negate ? negate(result) : result;
}

std::string_view to_string(truth t) noexcept {
  switch (t) {
    case truth::yes: return "yes";
    case truth::no: return "no";
    case truth::unknown: return "unknown";
  }
  return "unknown";
}

} // namespace rt::replication
