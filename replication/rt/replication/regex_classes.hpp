#pragma once

// The character classes of PostgreSQL's regular expressions ([[:alpha:]],
// \d, \s, \w) as the inside of RE2 bracket expressions. Internal to filter
// evaluation.
//
// PostgreSQL takes them from the column's collation: for "C" and "POSIX"
// only ASCII characters belong to a class; for any other (libc, UTF-8)
// locale a character belongs when glibc's isw*_l says so, except that
// ascii, blank, cntrl and xdigit are fixed. Under such a locale the classes
// here are Unicode general categories chosen to agree with glibc's tables
// (its en_US.UTF-8 and C.UTF-8 have the same ones). Below U+10000 they
// differ from glibc 2.36 on these characters (glibc's only / ours only):
// - alpha (962 / 16): combining marks (Mn) that glibc counts as letters,
//   such as Devanagari and Arabic vowel signs; decimal digits other than
//   0-9, such as ٣ (glibc's alpha has them, digit never does); circled
//   letters such as Ⓐ; spacing marks (Mc) that glibc counts as punctuation,
//   such as the Hangul tone marks.
// - alnum and word (602 / 16): the marks and circled letters as for alpha.
// - upper (42 / 0) and lower (193 / 0): Roman numerals such as Ⅻ, circled
//   letters and, for lower, modifier letters such as ʰ, ª and º and a few
//   title-case letters such as ǅ, which glibc counts in.
// - punct (529 / 52): the combining marks (Mn) that glibc counts as
//   punctuation; circled letters, which glibc counts as letters.
// - graph and print (0 / 2): characters Unicode assigned after glibc's
//   tables; above U+FFFF such newer characters (RE2's tables are Unicode
//   15) make most of the differences.
// digit, space, blank, cntrl, xdigit and ascii agree exactly.

#include <cstdint>
#include <optional>
#include <string_view>

namespace rt::replication::detail {

/// Which characters the classes hold, as the collation decides.
enum class classification : std::uint8_t {
  ascii,   ///< "C" and "POSIX": ASCII characters only
  unicode, ///< any other collation: Unicode general categories
};

/// The classes PostgreSQL names in [[:name:]].
enum class char_class : std::uint8_t {
  alnum, alpha, ascii, blank, cntrl, digit, graph, lower, print, punct, space, upper, xdigit, word
};

/// The class called `name`, nullopt for a name PostgreSQL does not know.
[[nodiscard]] std::optional<char_class> class_named(std::string_view name) noexcept;

/// The class of the shorthand \d, \s or \w named by `letter` (d, s or w,
/// or D, S, W for their complements): digit, space or word.
[[nodiscard]] char_class shorthand_class(char letter) noexcept;

/// The members of `c` under `set` as the inside of an RE2 bracket expression (ranges
/// and \p{...} categories, without the brackets), so that "[" + members +
/// "]" matches them and "[^" + members + "]" everything else.
[[nodiscard]] std::string_view class_members(char_class c, classification set) noexcept;

/// The characters outside `c` under `set` in the same form, for the
/// classes whose members are listed ranges (digit, space, and word under
/// ascii); nullopt for the others, whose complement RE2 can only write as
/// "[^" + members + "]".
[[nodiscard]] std::optional<std::string_view> class_complement(char_class c,
                                                               classification set) noexcept;

} // namespace rt::replication::detail
