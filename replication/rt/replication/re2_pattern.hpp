#pragma once

// A regular expression in RE2 syntax, compiled once and searched in UTF-8
// text, yes or no only, in time linear in the text's length. Internal to
// filter evaluation.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace re2 {
class RE2;
}

namespace rt::replication::detail {

/// Immutable once compiled; search may run on several threads at once.
class re2_pattern {
public:
  /// Memory one pattern may take, program and DFA caches together (RE2's
  /// max_mem). A pattern whose program does not fit is refused; one whose
  /// DFA outgrows its share starts its cache over and, when that happens
  /// too often, RE2 matches with its NFA instead: slower, still linear.
  // At 1 MiB the DFA of the largest patterns the size rule lets through,
  // such as .{254}x, no longer fits and matching 1 MiB of text takes 2 s
  // instead of 2 ms.
  static constexpr std::int64_t max_memory = 2 << 20;

  /// Why compile failed.
  struct error {
    bool too_large = false; ///< the program needs more than max_memory
    std::string text;       ///< RE2's text
  };

  re2_pattern(const re2_pattern&) = delete;
  re2_pattern& operator=(const re2_pattern&) = delete;
  ~re2_pattern();

  /// Compiles `pattern` (RE2 syntax, UTF-8) with `.` matching a newline too
  /// and, when `fold_case`, case ignored by Unicode simple case folding.
  [[nodiscard]] static tl::expected<std::shared_ptr<const re2_pattern>, error>
  compile(std::string_view pattern, bool fold_case);

  /// Whether the pattern matches anywhere in `text`, read as UTF-8. The
  /// text is not copied. Once the DFA states a search needs exist it
  /// allocates nothing, except where RE2 gave up its DFA for the NFA.
  [[nodiscard]] bool search(std::string_view text) const;

private:
  explicit re2_pattern(std::unique_ptr<const re2::RE2> re);

  std::unique_ptr<const re2::RE2> re_;
};

} // namespace rt::replication::detail
