#pragma once

// Why a PostgreSQL regular expression (ARE) is not matched here. Internal
// to filter evaluation.

#include <cstdint>
#include <string>

#include <tl/expected.hpp>

namespace rt::replication::detail {

/// A pattern refused, with the reason as a phrase.
struct are_error {
  enum class kind : std::uint8_t {
    /// PostgreSQL refuses it too; the reason is its text, such as
    /// "brackets [] not balanced".
    invalid,
    /// Valid, but refused here: syntax the matcher lacks or a pattern too
    /// costly to match for every change.
    unsupported,
  };
  kind what = kind::invalid;
  std::string reason;
};

/// An are_error of kind invalid.
inline tl::unexpected<are_error> invalid_are(std::string reason) {
  return tl::unexpected(are_error{are_error::kind::invalid, std::move(reason)});
}

/// An are_error of kind unsupported.
inline tl::unexpected<are_error> unsupported_are(std::string reason) {
  return tl::unexpected(are_error{are_error::kind::unsupported, std::move(reason)});
}

/// The are_error for a pattern that is not valid UTF-8 (PostgreSQL's text
/// always is).
inline tl::unexpected<are_error> invalid_utf8() {
  return invalid_are("the pattern is not valid UTF-8");
}

/// An are_error of kind unsupported for syntax RE2 has no equivalent of.
inline tl::unexpected<are_error> lacking_in_re2(std::string construct) {
  return unsupported_are(std::move(construct) + " is PostgreSQL ARE syntax that RE2 lacks");
}

} // namespace rt::replication::detail
