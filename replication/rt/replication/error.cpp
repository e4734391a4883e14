#include "rt/replication/error.hpp"

namespace rt::replication {

std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::truncated: return "message truncated";
    case errc::unknown_message: return "unknown message type";
    case errc::unknown_column_kind: return "unknown tuple column kind";
    case errc::unexpected_tuple_marker: return "unexpected tuple marker";
    case errc::negative_length: return "negative count or length";
    case errc::trailing_bytes: return "bytes after the end of the message";
    case errc::malformed_batch: return "malformed batch of row changes";
  }
  return "unknown error";
}

} // namespace rt::replication
