#pragma once

// What the node streaming a slot forwarded to the other nodes' slot actors
// and they have not acknowledged yet. It decides how far the slot may be
// confirmed (no further than every connected node acknowledged), whether a
// node lags too far behind (the stream then waits), and what a node that was
// disconnected for a moment (a network blip, a short partition: the same
// process, back within `grace`) must be sent again: everything after its
// last acknowledgement. A node away longer, or for which more than the bound
// piled up meanwhile, gets a gap instead (it tells its subscribers that
// changes were missed). Rows sent twice are dropped by the receiver
// (replication::row_sequence).

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/message.hpp>
#include <caf/node_id.hpp>

#include "rt/replication/walsender.hpp"

namespace rt::actors {

class forward_log {
public:
  using clock_type = std::chrono::steady_clock;

  /// `max_bytes`: acknowledgeable bytes one node may lag behind (and that are
  /// kept for a node away); `grace`: how long a node away is waited for.
  explicit forward_log(std::size_t max_bytes = 16u << 20,
                       std::chrono::milliseconds grace = std::chrono::seconds{30})
    : max_bytes_(max_bytes), grace_(grace) {}

  /// What a node that (re)joins must be sent before anything new.
  struct rejoin {
    /// Everything after its last acknowledgement, in order.
    std::vector<caf::message> resend;
    /// It was away too long or missed more than the bound: changes are lost.
    bool gap = false;
  };

  /// `peer` is connected (again).
  rejoin add(const caf::actor& peer, clock_type::time_point now);

  /// `peer` is disconnected: it no longer holds confirmations back, and what
  /// is forwarded meanwhile is kept for it (bounded) for `grace`.
  void remove(const caf::actor& peer, clock_type::time_point now);

  /// `msg` (`bytes` long) was sent to every connected node; `committed` when
  /// it ends a transaction.
  void sent(const caf::message& msg, std::size_t bytes, std::optional<replication::lsn> committed);

  /// `peer` acknowledged every transaction up to `position`.
  void acknowledged(const caf::actor& peer, replication::lsn position);

  /// How far the slot may be confirmed when this node's own frames left up
  /// to `local`.
  [[nodiscard]] replication::lsn confirmable(replication::lsn local) const;

  /// Whether a connected node lags more than the bound behind (transactions
  /// it could have acknowledged).
  [[nodiscard]] bool behind() const;

  /// The connected nodes.
  [[nodiscard]] const std::vector<caf::actor>& peers() const noexcept { return peers_; }

  /// Forgets nodes away past their grace (they get a gap if they return).
  void expire(clock_type::time_point now);

private:
  using key = std::pair<caf::node_id, caf::actor_id>;

  struct entry {
    caf::message msg;
    std::size_t bytes = 0;
    std::optional<replication::lsn> committed;
  };

  struct progress {
    std::deque<entry> unacknowledged;
    std::size_t bytes = 0;
    // Bytes after the last transaction end (not acknowledgeable yet).
    std::size_t open_bytes = 0;
    replication::lsn acked = 0;
    // While away: until when it is waited for; whether too much piled up.
    clock_type::time_point away_until{};
    bool overflowed = false;
  };

  static key key_of(const caf::actor& a) { return {a.node(), a.id()}; }
  static void record(progress& p, const entry& e);

  std::size_t max_bytes_;
  std::chrono::milliseconds grace_;
  std::vector<caf::actor> peers_;
  std::map<key, progress> connected_;
  std::map<key, progress> away_;
};

} // namespace rt::actors
