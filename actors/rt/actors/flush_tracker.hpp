#pragma once

// Which transaction ends may be confirmed to PostgreSQL: those whose frames
// have all left the process. A frame the operating system took reaches the
// client even if the server dies right after, so confirming such a
// transaction loses nothing; one still queued in user space would be lost
// with the process, and must be streamed again after a restart.
//
// Memory is bounded by the number of connections touched, not by the size
// or count of transactions: at most max_commits ends wait at a time, and
// later ones are merged into the last (confirming them a little later).

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "rt/connection_sink.hpp"
#include "rt/replication/walsender.hpp"

namespace rt::actors {

class flush_tracker {
public:
  /// Transaction ends that wait separately; more are merged into the last.
  static constexpr std::size_t max_commits = 64;

  /// `sink` accepted a frame of the transaction being delivered, with the
  /// mark its send_tracked() returned.
  void wrote(const std::shared_ptr<connection_sink>& sink, std::uint64_t mark);

  /// The transaction being delivered ended at `end`.
  void committed(replication::lsn end);

  /// Forgets frames whose connections flushed them. Returns the end of the
  /// last transaction that, with every one before it, has nothing left to
  /// flush; nullopt when none became confirmable.
  [[nodiscard]] std::optional<replication::lsn> advance();

  /// True while some committed transaction waits for its frames.
  [[nodiscard]] bool waiting() const noexcept { return !commits_.empty(); }

private:
  using marks = std::unordered_map<connection_sink*,
                                   std::pair<std::shared_ptr<connection_sink>, std::uint64_t>>;
  struct commit {
    replication::lsn end = 0;
    marks unflushed;
  };

  static void merge(marks& into, marks&& from);

  marks open_;
  std::deque<commit> commits_;
  std::optional<replication::lsn> ready_; // confirmable at once: nothing was waiting
};

} // namespace rt::actors
