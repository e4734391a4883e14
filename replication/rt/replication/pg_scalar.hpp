#pragma once

// The small scalar types' text output: bool, "char", uuid, enum labels,
// bpchar padding. Internal to filter evaluation.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rt::replication::detail {

/// "t"/"true" is 1, "f"/"false" 0 (boolout writes t and f).
[[nodiscard]] std::optional<std::int64_t> parse_bool(std::string_view s);

/// "char" output as its unsigned byte: one byte, nothing for NUL, or \ooo
/// for a byte of 128 or more.
[[nodiscard]] std::optional<std::int64_t> parse_single_char(std::string_view s);

/// A uuid in canonical form (8-4-4-4-12 hex digits, either case), lowered.
[[nodiscard]] std::optional<std::string> parse_uuid(std::string_view s);

/// `s` without its trailing spaces (how bpchar compares and casts to text).
[[nodiscard]] std::string trim_trailing_spaces(std::string_view s);

/// Position of `s` among an enum's `labels` (in enumsortorder).
[[nodiscard]] std::optional<std::int64_t> enum_position(const std::vector<std::string>& labels,
                                                        std::string_view s);

} // namespace rt::replication::detail
