#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rt::protocol {

/// Serializer a socket negotiated with its `vsn` query parameter.
enum class vsn : std::uint8_t {
  /// 1.0.0: JSON objects, text only.
  v1 = 0,
  /// 2.0.0: JSON arrays plus binary frames (Supabase kinds 0-4).
  v2 = 1,
};

/// Number of serializer versions (for per-version caches).
inline constexpr std::size_t vsn_count = 2;

/// Picks the serializer for a `vsn` query value as Phoenix does: absent means
/// 1.0.0; otherwise it must be a semantic version matching `~> 1.0.0` or
/// `~> 2.0.0` (1.0.x / 2.0.x, no pre-release). nullopt means refuse (HTTP 403).
std::optional<vsn> negotiate_vsn(std::optional<std::string_view> query_value);

} // namespace rt::protocol
