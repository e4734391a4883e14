#pragma once

// PostgreSQL's regex flavour (ARE) for the POSIX ERE matcher of the C
// library: what ERE reads the same way passes, what it lacks or reads with
// another meaning is refused or rewritten, and what could stall the single
// thread that evaluates every subscriber's filters is refused. Internal to
// filter evaluation.

#include <cstddef>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace rt::replication::detail {

/// Longest pattern accepted, in bytes.
inline constexpr std::size_t max_regex_bytes = 1000;

/// Largest size of a pattern with its bounded repetitions expanded, as the
/// matcher expands them into copies. Each character, escape, bracket
/// expression or `.` counts 1 for every copy that the repetitions around it
/// make, anchors 0: `{m,n}` and `{m}` make n copies (`{m,}` m, at least
/// one), `*`, `+` and `?` one; a group counts the sum of its parts, all
/// alternatives included. So `^a{255}$` and `(ab){100}c{55}` are 255 and
/// `(a{16}){16}` is 256. Equal to PostgreSQL's own limit on one count:
/// every count it accepts alone passes, and so do nested counts whose
/// product and sibling counts whose sum stay within it.
inline constexpr std::size_t max_regex_size = 255;

/// `pattern` (an ARE) as an ERE with the same answer to "does it match
/// anywhere?", or why it is refused, as a phrase such as "a *** director is
/// PostgreSQL ARE syntax that POSIX ERE lacks".
///
/// Rewritten: a `?` right after a quantifier (`*?`, `+?`, `??`, `{m,n}?`,
/// ARE's non-greedy forms, which ERE reads as an optional repetition) is
/// dropped, since greediness never changes whether a match exists; a `{`
/// not followed by a digit, a literal in ARE, is escaped.
///
/// Refused as ARE-only: escapes of a letter or digit (\d, \w, \m, \y, \0,
/// ...) and \< \> \` \', a backslash inside brackets, `(?` groups and
/// options, a leading `***` director. Refused as invalid, as PostgreSQL
/// refuses it ("quantifier operand invalid") while ERE would repeat the
/// repetition: a quantifier right after another (`a**`, `a+*`, `a{2}{3}`,
/// `a*?+`, `a???`) other than the one non-greedy `?`. Refused as too
/// costly: patterns longer than max_regex_bytes, back-references \1 to \9
/// (backtracking takes exponential time), patterns whose size with
/// repetitions expanded exceeds max_regex_size. Malformed patterns pass
/// unchanged for regcomp to reject.
[[nodiscard]] tl::expected<std::string, std::string> are_to_ere(std::string_view pattern);

} // namespace rt::replication::detail
