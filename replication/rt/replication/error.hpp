#pragma once

#include <string_view>

#include <tl/expected.hpp>

namespace rt::replication {

/// What can be wrong with bytes received from a walsender, or with a batch
/// of row changes received from another node.
enum class errc {
  /// The message ends before a field it announces.
  truncated = 1,
  /// A message type byte this decoder does not know.
  unknown_message,
  /// A tuple column kind other than 'n', 'u', 't', 'b'.
  unknown_column_kind,
  /// A tuple marker other than the ones the message type allows ('N', 'K', 'O').
  unexpected_tuple_marker,
  /// A count or length field that is negative.
  negative_length,
  /// Bytes left over after a complete message.
  trailing_bytes,
  /// A batch of row changes that encode_changes did not write: an unknown
  /// format version, a value out of its range, a reference past its table.
  malformed_batch,
};

/// A short lower-case description for logs.
[[nodiscard]] std::string_view to_string(errc e) noexcept;

template <class T>
using expected = tl::expected<T, errc>;

} // namespace rt::replication
