#pragma once

// Evaluation of one postgres_changes filter condition against a replicated
// row, with the result PostgreSQL gives for Supabase's
// `select 'value'::type <op> ('operand'::type)` (`= any(...)` for `in`).
//
// Both sides arrive as the column type's text output under the session
// settings DateStyle=ISO, TimeZone=UTC, extra_float_digits=1,
// IntervalStyle=postgres: the operand once, when the binding is joined (cast
// by PostgreSQL), the row value with every change (pgoutput text format).
// compile_filter parses the operand and everything the operator needs once;
// evaluate then parses only the row value.
//
// Per type family (refused means compile_filter returns an error):
// - int2/int4/int8/oid: integer comparison.
// - float4/float8: IEEE comparison, except that NaN equals NaN and is
//   greater than every other value (Infinity included); -0 equals 0.
// - numeric: exact decimal comparison of the text (any number of digits,
//   1.0 = 1.00); NaN equals NaN and is the greatest; ±Infinity.
// - bool: false < true.
// - text/varchar/name: equality is byte equality; ordering is byte order for
//   the "C" and "POSIX" collations, otherwise strcoll_l in the collation's
//   locale with ties broken by byte order (PostgreSQL's rule for
//   deterministic collations). A locale this host lacks refuses ordering.
//   Non-deterministic (ICU) collations are not modelled.
// - bpchar: as text, trailing spaces insignificant. "char": unsigned byte.
// - uuid: byte order of the canonical lowercase text.
// - date/timestamp/timestamptz: points in time, with ±infinity, BC years,
//   years past 9999, fractions of any length and any UTC offset.
// - time: time of day. timetz: by the UTC time, then by offset (a zone east
//   of another sorts first), so '10:00+01' < '09:00+00' and they differ.
// - interval: by total length with 1 mon = 30 days and 1 day = 24 hours, so
//   '1 mon' = '30 days'; ±infinity.
// - enum: by position among the labels.
// - jsonb: equality only, by the canonical text with numbers compared as
//   numbers (1.0 = 1, like jsonb's =); ordering refused.
// - json, xml, jsonpath, geometric types, txid/pg snapshots: no usable `=`
//   in PostgreSQL (or a fuzzy one), so every operator but `is null` refused.
// - anything else (arrays, bytea, inet, ranges, unknown OIDs): equality only,
//   by identical text output; ordering refused. This differs from
//   PostgreSQL where the output is not canonical, e.g. numeric[] '{1.0}' =
//   '{1}', float8[] '{-0}' = '{0}', or citext's case-insensitive `=`.
// - like/ilike/match/imatch: text, varchar, bpchar, name only; see
//   compile_filter.
//
// A row value that does not parse as the type's output (it cannot happen
// with PostgreSQL's output) gives `unknown`, never a crash.
//
// Pure: libc, the standard library and RE2. Compiled filters are immutable
// and may be shared and evaluated concurrently.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "rt/replication/filter.hpp"

namespace rt::replication {

/// What compile_filter needs to know about the filtered column.
struct filter_column {
  std::uint32_t type_oid = 0; ///< pg_attribute.atttypid
  /// LC_COLLATE of the column's collation: "C", "POSIX", or a locale name
  /// such as "en_US.utf8" (also the locale of ilike case folding; match
  /// and imatch only tell "C" and "POSIX" from the rest).
  std::string collation = "C";
  /// For an enum type its labels in enumsortorder; empty for other types
  /// (a non-empty list makes the column an enum whatever its OID).
  std::vector<std::string> enum_labels;
};

/// SQL's three-valued logic.
enum class truth { no, yes, unknown };

namespace detail {
struct filter_program;
}

/// A condition ready for evaluate(); copies share the same immutable state.
class compiled_filter {
public:
  /// The operator it was compiled from.
  [[nodiscard]] filter_op op() const noexcept;
  /// Whether the condition was negated (`not.`).
  [[nodiscard]] bool negated() const noexcept;

private:
  explicit compiled_filter(std::shared_ptr<const detail::filter_program> program);

  std::shared_ptr<const detail::filter_program> program_;

  friend tl::expected<compiled_filter, std::string>
  compile_filter(const filter_condition&, const filter_column&,
                 std::vector<std::optional<std::string>>);
  friend truth evaluate(const compiled_filter&, std::optional<std::string_view>);
};

/// Prepares `c` for evaluation against values of `column`.
///
/// `operands` is PostgreSQL's text output of the filter value cast to the
/// column type: exactly one entry, except for `in` (one per array element,
/// at most 100, nullopt for a NULL element). A nullopt operand is SQL NULL
/// (comparisons with it are unknown, an empty `in` list is false). For `is`
/// the entry is the keyword null, true, false or unknown (any case); for
/// like/ilike/match/imatch the pattern (for a bpchar column its trailing
/// spaces are dropped, as the cast to text does in PostgreSQL; the row value
/// keeps its padding).
///
/// like/ilike: `%` any sequence, `_` one UTF-8 character, backslash takes the
/// next character literally; the whole value must match. ilike folds both
/// sides to lower case: ASCII letters only for the "C"/"POSIX" collations
/// (as PostgreSQL does), towlower_l of each code point in the collation's
/// locale otherwise (C.UTF-8's when this host lacks that locale). A pattern
/// ending in a lone backslash is refused (PostgreSQL raises an error for it
/// when matching reaches it).
///
/// match/imatch: PostgreSQL's `~` and `~*` (its ARE flavour) searched
/// anywhere in the value by RE2, in time linear in the value's length and
/// with at most 2 MiB per pattern for its program and DFA caches. The ARE is
/// translated (see are_to_re2.hpp): escapes, bounds, non-greedy quantifiers,
/// bracket expressions, the ***= and ***: directors and the leading options
/// (?c) (?i) (?q) mean what they mean in PostgreSQL; `.` and negated
/// brackets match a newline and `^`/`$` are the ends of the value, as in
/// PostgreSQL without its newline-sensitive options. Character classes and
/// case folding follow the collation and need no locale of this host: under
/// "C"/"POSIX" the classes hold ASCII characters only and imatch folds ASCII
/// letters only, as in PostgreSQL; under any other collation the classes are
/// Unicode general categories close to glibc's tables and imatch folds by
/// Unicode simple case folding.
///
/// Refused as "unsupported regular expression for <op> filter: <why>":
/// syntax RE2 cannot express (\m, \M, [[:<:]], [[:>:]], lookahead and
/// lookbehind, collating elements named by several characters such as
/// [[.hyphen.]], \W inside a negated bracket expression under a collation
/// other than C, the embedded options b, e, m, n, p, w and x); a quantifier
/// right after another (`a**`,
/// `a{2}{3}`, `a???`), as PostgreSQL refuses it; and, although PostgreSQL
/// accepts them, because one subscriber's pattern must not stall the
/// evaluation of everyone's: patterns longer than 1,000 bytes,
/// back-references, patterns larger than 255 with their repetitions
/// expanded (each character, escape, bracket expression or `.` once per
/// copy, so `(a{20}){20}` is 400 and `a{200}b{200}` is 400; PostgreSQL's
/// limit is 255 per count), and patterns whose compiled form needs more
/// than 2 MiB (about 100 copies of [[:alpha:]] or \w under a collation other
/// than C). Patterns PostgreSQL refuses give "invalid regular expression for
/// <op> filter: <its text>", such as "brackets [] not balanced". The worst
/// accepted patterns, those that defeat RE2's DFA such as `a[ab]{250}c`,
/// take about a second per MiB of value.
///
/// Known differences under a collation other than "C"/"POSIX":
/// [[:alpha:]], [[:alnum:]], \w, [[:upper:]], [[:lower:]] and [[:punct:]]
/// disagree with glibc's tables on some characters (combining marks that
/// glibc counts as letters or punctuation, non-ASCII decimal digits in
/// alpha, circled letters, Roman numerals, modifier letters; see
/// regex_classes.hpp); \y and \Y know only ASCII letters, digits and `_` as
/// word characters; imatch matches every member of a character's case
/// folding orbit (k, K and the Kelvin sign; s, S and ſ; ß and ẞ) where
/// PostgreSQL matches its towlower and towupper only. ICU collations are
/// read as libc ones.
///
/// Errors are returned, never thrown, as an English sentence, e.g.
/// "operator lt is not supported for column type jsonb",
/// "is true filter requires a boolean column, got int4",
/// "operator like requires a text-compatible column type, got int4",
/// "invalid regular expression for match filter: brackets [] not balanced",
/// "unsupported regular expression for match filter: <why>",
/// "too many values for `in` filter. Maximum 100", or an operand that does
/// not parse as the type's output.
[[nodiscard]] tl::expected<compiled_filter, std::string>
compile_filter(const filter_condition& c, const filter_column& column,
               std::vector<std::optional<std::string>> operands);

/// The condition's truth for one row, `value` being the column's text output
/// (nullopt for NULL). NOT of unknown is unknown; `is` and `isdistinct` are
/// never unknown (except for a value that does not parse). A row is visible
/// only when every condition of its filter is `yes`.
[[nodiscard]] truth evaluate(const compiled_filter& f, std::optional<std::string_view> value);

/// "yes", "no" or "unknown".
[[nodiscard]] std::string_view to_string(truth t) noexcept;

} // namespace rt::replication
