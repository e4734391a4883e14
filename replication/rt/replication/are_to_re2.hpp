#pragma once

// PostgreSQL's regular expressions (ARE, the flavour of `~` and `~*`)
// translated to RE2 syntax with the same answer to "does it match
// anywhere?", or refused with the reason. Internal to filter evaluation.

#include <cstddef>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "rt/replication/are_error.hpp"
#include "rt/replication/regex_classes.hpp"

namespace rt::replication::detail {

/// Longest pattern accepted, in bytes.
inline constexpr std::size_t max_regex_bytes = 1000;

/// Largest size of a pattern with its bounded repetitions expanded, as
/// automata expand them into copies. Each character, escape, bracket
/// expression or `.` counts 1 for every copy that the repetitions around it
/// make, anchors 0: `{m,n}` and `{m}` make n copies (`{m,}` m, at least
/// one), `*`, `+` and `?` one; a group counts the sum of its parts, all
/// alternatives included. So `^a{255}$` and `(ab){100}c{55}` are 255 and
/// `(a{16}){16}` is 256. Equal to PostgreSQL's own limit on one count:
/// every count it accepts alone passes, and so do nested counts whose
/// product and sibling counts whose sum stay within it.
inline constexpr std::size_t max_regex_size = 255;

/// An ARE in RE2 syntax, for re2_pattern::compile.
struct re2_translation {
  std::string pattern;
  /// Match ignoring case by RE2's Unicode case folding (case-insensitive
  /// under the unicode classification; under ascii the pattern itself lists
  /// both cases of ASCII letters, as [aA]).
  bool fold_case = false;
};

/// Translates `pattern`, an ARE, for case-insensitive matching when
/// `ignore_case` (`~*`), with character classes and case folding of
/// `classes`.
///
/// Kept as they are: literals, `.`, `|`, groups, `(?:`, `^` and `$` (ends of
/// the text), the quantifiers `* + ? {m} {m,} {m,n}` and their non-greedy
/// forms. Rewritten: a `{` not followed by a digit (a literal in ARE),
/// bracket expressions (see translate_bracket), \d \s \w \D \S \W (see
/// regex_classes.hpp), character escapes (see read_escape), the
/// constraints \A, \Z, \y and \Y (RE2's \A, \z, \b, \B: RE2's word
/// boundary knows only ASCII letters, digits and `_` as word characters,
/// PostgreSQL's under a UTF-8 locale every letter and digit; a pattern
/// with \Y starts with ^.*? so that no match starts inside a character),
/// the `***:` and `***=` directors and the leading embedded options c, i,
/// q, s and t;
/// (?#...) comments are dropped.
///
/// Refused as invalid, with PostgreSQL's texts: a quantifier with nothing
/// before it to repeat (at the start, after `(`, `|`, `^`, `$` or a
/// constraint), counts above 255 or reversed, an unclosed bound, unbalanced
/// parentheses, bad escapes and bracket expressions, unknown embedded
/// options, text that is not UTF-8. Refused as unsupported: a quantifier
/// right after another (`a**`, `a{2}{3}`, `a???`, which PostgreSQL refuses
/// too) other than the one non-greedy `?`; syntax RE2 cannot express:
/// \m, \M, [[:<:]], [[:>:]], lookahead and lookbehind, the embedded options
/// b, e, m, n, p, w and x; and, because one subscriber's pattern must not
/// stall the matching of everyone's: patterns longer than max_regex_bytes,
/// back-references, patterns larger than max_regex_size.
[[nodiscard]] tl::expected<re2_translation, are_error>
are_to_re2(std::string_view pattern, bool ignore_case, classification classes);

} // namespace rt::replication::detail
