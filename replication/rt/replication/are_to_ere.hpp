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

/// Largest repetition count `{m,n}`, also of the product of the counts of
/// nested repetitions (PostgreSQL's own limit per count is 255).
inline constexpr std::size_t max_regex_repetition = 255;

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
/// options, a leading `***` director. Refused as too costly: patterns
/// longer than max_regex_bytes, back-references \1 to \9 (backtracking
/// takes exponential time), repetition counts whose product over nested
/// repetitions exceeds max_regex_repetition (the matcher expands each into
/// copies). Malformed patterns pass unchanged for regcomp to reject.
[[nodiscard]] tl::expected<std::string, std::string> are_to_ere(std::string_view pattern);

} // namespace rt::replication::detail
