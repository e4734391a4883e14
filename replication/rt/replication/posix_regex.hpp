#pragma once

// A POSIX extended regular expression compiled once and searched in UTF-8
// text by the C library (regcomp/regexec), yes or no only. Internal to
// filter evaluation.

#include <regex.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "rt/replication/locale_handle.hpp"

namespace rt::replication::detail {

/// Immutable once compiled; search may run on several threads at once.
class posix_regex {
public:
  posix_regex(const posix_regex&) = delete;
  posix_regex& operator=(const posix_regex&) = delete;
  ~posix_regex();

  /// Compiles the ERE `pattern` (REG_EXTENDED | REG_NOSUB, REG_ICASE when
  /// `icase`) with characters decoded by LC_CTYPE of `collation`'s locale
  /// (C.UTF-8 for "C"/"POSIX" or a locale this host lacks). The error is
  /// regerror's text.
  [[nodiscard]] static tl::expected<std::shared_ptr<const posix_regex>, std::string>
  compile(const std::string& pattern, bool icase, const std::string& collation);

  /// Whether the pattern matches anywhere in `text` (which is not copied);
  /// nullopt when regexec fails otherwise (out of memory).
  [[nodiscard]] std::optional<bool> search(std::string_view text) const;

private:
  posix_regex() = default;

  regex_t re_{};
  bool compiled_ = false;
  shared_locale ctype_;
};

} // namespace rt::replication::detail
