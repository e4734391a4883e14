#pragma once

#include <string_view>

#include <tl/expected.hpp>

namespace rt::presence {

/// What a presence operation can refuse.
enum class errc {
  /// track: this owner already tracks this key on this topic.
  already_tracked = 1,
  /// update or untrack: this owner tracks no such key on this topic.
  not_tracked,
  /// Two deltas whose clock ranges neither touch nor overlap cannot be merged.
  not_contiguous,
  /// replica up, down or permdown naming the local replica itself.
  own_replica,
  /// Decoding: the bytes are not a well-formed message of the expected kind
  /// (see wire_codec.hpp).
  malformed,
};

/// A short lower-case description for logs.
[[nodiscard]] std::string_view to_string(errc e) noexcept;

template <class T>
using expected = tl::expected<T, errc>;

} // namespace rt::presence
