#pragma once

// Numbers as PostgreSQL writes them: integers, float4/float8 (NaN,
// Infinity) and numeric compared exactly as decimals. Internal to filter
// evaluation.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rt::replication::detail {

/// -1, 0 or 1 as `v` is below, at or above zero.
template <class T> int sign_of(T v) noexcept { return (v > T{}) - (v < T{}); }

/// A numeric value: sign × 0.digits × 10^exponent, or a special value.
/// Kinds are declared in their order, NaN the greatest as in PostgreSQL.
struct decimal {
  enum class kind : std::uint8_t { negative_infinity, finite, positive_infinity, nan };
  kind k = kind::finite;
  int sign = 0;              ///< -1, 0 or 1 when finite
  std::string digits;        ///< no leading or trailing zeros; empty for zero
  std::int64_t exponent = 0; ///< of the first digit's place
};

/// int2/int4/int8/oid output; nullopt for anything else or out of range.
[[nodiscard]] std::optional<std::int64_t> parse_integer(std::string_view s);

/// float4out's output as the float it names (widened to double).
[[nodiscard]] std::optional<double> parse_float4(std::string_view s);

/// float8out's output.
[[nodiscard]] std::optional<double> parse_float8(std::string_view s);

/// numeric_out's output (also exponent notation, "inf", "nan" in any case),
/// exactly, whatever the number of digits.
[[nodiscard]] std::optional<decimal> parse_decimal(std::string_view s);

/// Float order with NaN equal to NaN and above everything; -0 equals 0.
[[nodiscard]] int compare_floats(double a, double b) noexcept;

/// numeric order: -Infinity, finite values, Infinity, NaN.
[[nodiscard]] int compare_decimals(const decimal& a, const decimal& b) noexcept;

} // namespace rt::replication::detail
