#pragma once

// Rows arrive in commit order, and in order within their transaction,
// whichever node streams them. When the node streaming a slot changes, the
// new one resumes at the slot's confirmed position, so rows a node already
// delivered may come again, from the new owner or late from the old one. A
// row is known by its transaction's commit position and its position in the
// transaction; one at or before the last row delivered came a second time.

#include <cstdint>
#include <optional>
#include <utility>

#include "rt/replication/walsender.hpp"

namespace rt::replication {

class row_sequence {
public:
  /// Whether the row at (`commit_lsn`, `position`) comes after every row
  /// accepted so far; if so it becomes the last one.
  [[nodiscard]] bool accept(lsn commit_lsn, std::uint32_t position) noexcept {
    std::pair<lsn, std::uint32_t> at{commit_lsn, position};
    if (last_ && at <= *last_)
      return false;
    last_ = at;
    return true;
  }

private:
  std::optional<std::pair<lsn, std::uint32_t>> last_;
};

} // namespace rt::replication
