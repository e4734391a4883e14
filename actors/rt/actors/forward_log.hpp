#pragma once

// What the node streaming a slot forwarded to the other nodes' slot actors
// and they have not acknowledged yet. Nodes acknowledge twice: each batch
// once handled (flow: a node more than the bound behind makes the stream
// wait, so neither this node's send buffers nor its queue grow, even within
// one huge transaction) and each transaction end once its frames left that
// node (the slot is confirmed no further than every connected node has).
// What a node that was disconnected for a moment (a network blip, a short
// partition: the same process, back within `grace`) must be sent again is
// kept: everything after its last acknowledged transaction end, up to the
// bound. A node away longer, or for which more than the bound piled up, gets
// a gap instead (it tells its subscribers that changes were missed). Rows
// sent twice are dropped by the receiver (replication::row_sequence).

#include <chrono>
#include <cstddef>
#include <cstdint>
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

  /// The sequence number the next batch sent carries.
  [[nodiscard]] std::uint64_t next_seq() const noexcept { return next_seq_; }

  /// `msg` (`bytes` long, carrying next_seq()) was sent to every connected
  /// node; `committed` when it ends a transaction.
  void sent(const caf::message& msg, std::size_t bytes, std::optional<replication::lsn> committed);

  /// `peer` handled every batch up to `handled_seq` and every transaction up
  /// to `position` left it.
  void acknowledged(const caf::actor& peer, replication::lsn position, std::uint64_t handled_seq);

  /// How far the slot may be confirmed when this node's own frames left up
  /// to `local`.
  [[nodiscard]] replication::lsn confirmable(replication::lsn local) const;

  /// Whether a connected node has more than the bound sent and not handled.
  [[nodiscard]] bool behind() const;

  /// Whether a batch sent now reaches or is kept for some node.
  [[nodiscard]] bool has_receivers() const;

  /// The connected nodes.
  [[nodiscard]] const std::vector<caf::actor>& peers() const noexcept { return peers_; }

  /// A new stream session (this node started or stopped streaming): what
  /// the last one forwarded no longer holds anything back or is sent again;
  /// nodes away are still waited for, with what the new session forwards.
  void restart();

  /// Forgets nodes away past their grace (they get a gap if they return).
  void expire(clock_type::time_point now);

private:
  using key = std::pair<caf::node_id, caf::actor_id>;

  struct entry {
    caf::message msg;
    std::size_t bytes = 0;
    std::optional<replication::lsn> committed;
    std::uint64_t seq = 0;
  };

  struct progress {
    // Kept to be sent again, from the last acknowledged transaction end on.
    std::deque<entry> unacknowledged;
    std::size_t bytes = 0;
    // Sent and not handled yet: (seq, bytes).
    std::deque<std::pair<std::uint64_t, std::size_t>> unhandled;
    std::size_t unhandled_bytes = 0;
    replication::lsn acked = 0;
    replication::lsn last_commit_sent = 0;
    // Some of what was sent is no longer kept (more than the bound): it
    // cannot be sent again until a transaction end after it is acknowledged.
    bool incomplete = false;
    std::optional<replication::lsn> incomplete_until;
    // While away: until when it is waited for; whether too much piled up.
    clock_type::time_point away_until{};
    bool overflowed = false;
  };

  static key key_of(const caf::actor& a) { return {a.node(), a.id()}; }
  void record(progress& p, const entry& e) const;

  std::uint64_t next_seq_ = 1;
  std::size_t max_bytes_;
  std::chrono::milliseconds grace_;
  std::vector<caf::actor> peers_;
  std::map<key, progress> connected_;
  std::map<key, progress> away_;
};

} // namespace rt::actors
