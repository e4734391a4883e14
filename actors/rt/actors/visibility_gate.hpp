#pragma once

// What the replication_slot holds back while row level security is asked.
// A frame whose row needs a visibility check waits for its answer, and so
// does every later frame of the same subscriber (a subscriber gets its
// changes in stream order); other subscribers are not held. Checks are
// batched: the rows of one table needing a check for one identity (role and
// claims) within a batch from the reader form one query, of at most
// max_rows_per_check rows, shared by every subscriber with that identity.
// A transaction's end is passed on (to the flush tracker) only once no frame
// of it, nor of any earlier transaction, is held: frames released later are
// written before the end they belong to is handed on.
//
// No CAF, no libpq: the slot actor asks the checkers and feeds the answers
// back. Not thread-safe: one actor owns it.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "rt/db/client_identity.hpp"
#include "rt/db/row_visibility.hpp"
#include "rt/protocol/wire_frame.hpp"
#include "rt/replication/change_stream.hpp"
#include "rt/replication/walsender.hpp"

namespace rt::actors {

class visibility_gate {
public:
  struct limits {
    /// Rows in one check (one query); a full check is asked as it is and a
    /// new one begun.
    std::size_t max_rows_per_check = 256;
    /// Checks asked and not answered past which saturated() is true.
    std::size_t max_checks = 64;
    /// Bytes of held frames past which saturated() is true.
    std::size_t max_held_bytes = 8u << 20;
  };

  /// A check to ask: whether `who` can select `rows`.
  struct query {
    std::uint64_t id = 0;
    db::client_identity who;
    db::key_batch rows;
  };

  /// Hands a transaction end on (to the flush tracker), in stream order.
  using commit_fn = std::function<void(replication::lsn)>;
  /// Writes a released frame to `subscriber`.
  using send_fn = std::function<void(std::uint64_t subscriber, const protocol::shared_frame&)>;
  /// Tells `subscriber` that frames of it were dropped, and why.
  using drop_fn = std::function<void(std::uint64_t subscriber, const std::string& why)>;

  visibility_gate(limits l, commit_fn committed);

  /// A new row change begins: frames held until the next call are of it.
  void next_change() noexcept { ++change_; }

  /// True while `subscriber` has frames held: later ones queue behind them.
  [[nodiscard]] bool holds(std::uint64_t subscriber) const { return queues_.contains(subscriber); }

  /// Holds `frame` for `subscriber` behind what it holds already.
  void hold(std::uint64_t subscriber, protocol::shared_frame frame);

  /// Holds `frame` for `subscriber` until it is known whether `who`
  /// (identified by `viewer`: equal texts, equal identities) can select the
  /// row `key` of table `relid`.
  void hold_checked(std::uint64_t subscriber, const std::string& viewer,
                    const db::client_identity& who, std::uint32_t relid,
                    const replication::row_key& key, protocol::shared_frame frame);

  /// The transaction being delivered ended at `end`: handed on at once when
  /// nothing is held, otherwise once its frames and all earlier ones left.
  void committed(replication::lsn end);

  /// The checks begun since the last call, now counted as asked.
  [[nodiscard]] std::vector<std::uint64_t> take_queries();

  /// The query of check `id`, to ask (again); nullopt when nobody waits for
  /// it any more.
  [[nodiscard]] std::optional<query> query_of(std::uint64_t id) const;

  /// The answer to check `id`: each row's visibility, or nullopt when the
  /// check failed for its identity (`why` says how). Releases held frames in
  /// order: `send` for those to deliver, `drop` once per subscriber that
  /// lost frames to a failed check. An unknown id (nobody waits) is ignored.
  void answer(std::uint64_t id, const std::optional<std::vector<bool>>& visible,
              const std::string& why, const send_fn& send, const drop_fn& drop);

  /// Drops `subscriber`'s held frames (its channel ended).
  void forget(std::uint64_t subscriber);

  /// Drops everything held, handing no end on (the stream stops).
  void clear();

  /// True while too many checks are asked or too many bytes held: the
  /// stream should wait before it hands on more.
  [[nodiscard]] bool saturated() const noexcept {
    return asked_.size() >= limits_.max_checks || held_bytes_ >= limits_.max_held_bytes;
  }

  [[nodiscard]] std::size_t asked() const noexcept { return asked_.size(); }
  [[nodiscard]] std::size_t held_bytes() const noexcept { return held_bytes_; }

private:
  struct held {
    protocol::shared_frame frame;
    std::uint64_t check = 0; // 0: not checked itself, only behind one
    std::size_t row = 0;
    std::uint64_t transaction = 0;
  };
  struct check {
    query q;
    std::uint64_t last_change = 0; // the change that added the last row
    std::size_t refs = 0;          // held frames pointing at it
    std::vector<std::uint64_t> waiters;
    bool answered = false;
    std::optional<std::vector<bool>> visible;
    std::string why;
  };
  // A transaction with held frames, or one that must wait for an earlier one.
  struct transaction_hold {
    std::uint64_t serial = 0;
    std::size_t held = 0;
    std::optional<replication::lsn> end;
  };

  void push(std::uint64_t subscriber, held h);
  check& building(const std::string& viewer, const db::client_identity& who,
                  std::uint32_t relid, const replication::row_key& key);
  void release(const held& h);
  void unref(std::uint64_t check_id);
  void pump(std::uint64_t subscriber, const send_fn& send, const drop_fn& drop);
  void release_commits();

  limits limits_;
  commit_fn committed_;
  std::uint64_t change_ = 0;
  std::uint64_t next_check_ = 1;
  std::uint64_t next_transaction_ = 0;
  std::size_t held_bytes_ = 0;
  std::unordered_map<std::uint64_t, std::deque<held>> queues_;
  std::unordered_map<std::uint64_t, check> checks_;
  std::map<std::pair<std::string, std::uint32_t>, std::uint64_t> building_;
  std::vector<std::uint64_t> begun_;
  std::unordered_set<std::uint64_t> asked_;
  std::deque<transaction_hold> transactions_;
};

} // namespace rt::actors
