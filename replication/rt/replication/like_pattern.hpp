#pragma once

// LIKE and ILIKE patterns over UTF-8 text. Internal to filter evaluation.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "rt/replication/locale_handle.hpp"

namespace rt::replication::detail {

/// How characters are folded before they are compared.
class case_fold {
public:
  /// No folding (LIKE).
  [[nodiscard]] static case_fold none() { return case_fold{mode::none, nullptr}; }
  /// ASCII letters only (ILIKE under the "C" and "POSIX" collations).
  [[nodiscard]] static case_fold ascii() { return case_fold{mode::ascii, nullptr}; }
  /// towlower_l in `locale`; ASCII letters only when `locale` is null.
  [[nodiscard]] static case_fold in_locale(shared_locale locale);

  /// `c` folded; values above U+10FFFF (undecodable bytes) stay as they are.
  [[nodiscard]] char32_t operator()(char32_t c) const noexcept;

private:
  enum class mode : std::uint8_t { none, ascii, locale };
  case_fold(mode m, shared_locale l) : mode_(m), locale_(std::move(l)) {}

  mode mode_;
  shared_locale locale_;
};

/// A compiled LIKE pattern: `%` any sequence, `_` one UTF-8 character,
/// backslash takes the next character literally; the whole text must match.
/// Immutable once compiled.
class like_pattern {
public:
  /// The pattern, or an error text when it ends in a lone backslash (an
  /// error in PostgreSQL once matching reaches it).
  [[nodiscard]] static tl::expected<like_pattern, std::string> compile(std::string_view pattern,
                                                                       case_fold fold);

  /// True when all of `text` matches. Text and pattern are read as UTF-8
  /// code points; a byte that starts no valid sequence only equals itself.
  /// Takes time proportional to text × pattern length at worst, allocates
  /// nothing.
  [[nodiscard]] bool matches(std::string_view text) const;

private:
  struct token {
    enum class kind : std::uint8_t { literal, one, any };
    kind k = kind::literal;
    char32_t c = 0; // folded
  };

  explicit like_pattern(case_fold fold) : fold_(std::move(fold)) {}

  std::vector<token> tokens_;
  case_fold fold_;
};

} // namespace rt::replication::detail
