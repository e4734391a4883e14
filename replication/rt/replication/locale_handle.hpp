#pragma once

// POSIX locales for collation and case folding, shared by the compiled
// filters that use them. Internal to filter
// evaluation.

#include <locale.h>

#include <memory>
#include <string>
#include <string_view>

namespace rt::replication::detail {

/// Owns one locale_t made by newlocale.
class locale_handle {
public:
  /// Takes ownership of `l` (not null).
  explicit locale_handle(locale_t l) noexcept : loc_(l) {}
  locale_handle(const locale_handle&) = delete;
  locale_handle& operator=(const locale_handle&) = delete;
  ~locale_handle() { freelocale(loc_); }

  /// The locale, for the *_l functions and uselocale.
  [[nodiscard]] locale_t get() const noexcept { return loc_; }

private:
  locale_t loc_;
};

/// A locale shared by the compiled filters that use it; may be null.
using shared_locale = std::shared_ptr<const locale_handle>;

/// True for the collations that order by bytes: "C" and "POSIX".
[[nodiscard]] bool is_c_collation(std::string_view name) noexcept;

/// The locale `name` for the categories of `mask` (LC_COLLATE_MASK, ...);
/// null when this host lacks it.
[[nodiscard]] shared_locale make_locale(int mask, const std::string& name);

/// LC_CTYPE for character decoding and case folding: the collation's
/// locale, else C.UTF-8 so that characters are still UTF-8 code points;
/// null only when the host has neither.
[[nodiscard]] shared_locale ctype_locale(const std::string& collation);

} // namespace rt::replication::detail
