#pragma once

// Bracket expressions of PostgreSQL's regular expressions (ARE), such as
// [a-z_], [^[:space:]] or [\d.], as RE2 syntax. Internal to filter
// evaluation.

#include <cstddef>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "rt/replication/are_error.hpp"
#include "rt/replication/regex_classes.hpp"

namespace rt::replication::detail {

/// How a bracket expression is read.
struct bracket_context {
  classification classes = classification::ascii;
  /// Case-insensitive: [:lower:] and [:upper:] stand for [:alpha:], as in
  /// PostgreSQL.
  bool ignore_case = false;
  /// Also add the other case of every ASCII letter (case-insensitive
  /// matching where RE2 itself folds nothing).
  bool fold_ascii = false;
  /// Capturing groups opened before the bracket expression (see
  /// read_escape).
  std::size_t groups = 0;
};

/// A bracket expression as RE2 syntax for one character.
struct translated_bracket {
  std::string re2;
  std::size_t length = 0; ///< pattern bytes it took, both brackets included
};

/// Translates the bracket expression at `pattern[at]`, a '['.
///
/// As in ARE: a `]` first (after `[` or `[^`) is a literal, so is a `-`
/// first or last; ranges go by code point; [:name:] is a class (see
/// regex_classes.hpp); [.c.] and [=c=] of one character are that character
/// (PostgreSQL has no larger equivalence classes); a backslash starts an
/// escape: a character, or \d \s \w \D \S \W for their classes. \D, \S and
/// (under ascii) \W are listed as the ranges outside their class; a
/// positive expression holding \W under unicode becomes an alternation such
/// as (?:[a]|[^\p{L}...]).
///
/// Invalid, with PostgreSQL's texts: no closing bracket, a reversed range
/// or one that ends in a class, a `-` right after a range or class, an
/// unknown class name, any other escape. Unsupported: collating elements
/// named by several characters ([[.hyphen.]]), and \W in a negated
/// expression under unicode, which RE2 cannot express.
[[nodiscard]] tl::expected<translated_bracket, are_error>
translate_bracket(std::string_view pattern, std::size_t at, const bracket_context& context);

} // namespace rt::replication::detail
