#pragma once

// jsonb equality as text equality: jsonb_out is canonical (sorted unique
// keys, fixed spacing) except for the scale of numbers, so rewriting each
// number in one form per value makes equal jsonb values equal texts.
// Internal to filter evaluation.

#include <optional>
#include <string>
#include <string_view>

namespace rt::replication::detail {

/// jsonb_out's text with every number rewritten as 0.<digits>e<exponent>
/// (so 1.0, 1 and 1e0 read the same); nullopt for an unterminated string or
/// a number that does not parse.
[[nodiscard]] std::optional<std::string> canonical_jsonb(std::string_view s);

} // namespace rt::replication::detail
