#pragma once

// What a tracker knows of the other replicas from their heartbeats, and what
// Phoenix.Tracker's timing rules make of it: a replica heard of for the first
// time (or again after it was down) is up; one silent for longer than the down
// period is down (its presences hidden); one silent for longer than the
// permdown period is forgotten; a node heard with a new version has restarted,
// so its old replica is forgotten at once. It also picks whom to ask for a
// transfer: the replicas whose last clocks no other heard clock (nor our own)
// dominates, the fewest that together hold everything. Pure: time comes in as
// an argument.

#include <chrono>
#include <map>
#include <optional>
#include <vector>

#include "rt/presence/version_vector.hpp"

namespace rt::presence {

/// Periods of the gossip, Phoenix.Tracker's defaults.
struct gossip_settings {
  /// Heartbeats go out this often.
  std::chrono::milliseconds broadcast_period{1500};
  /// After this many periods without a delta an empty heartbeat goes out.
  int max_silent_periods = 10;
  /// A replica silent this long is down (presences hidden, reported as leaves).
  std::chrono::milliseconds down_period{30'000};
  /// A replica silent this long is forgotten.
  std::chrono::milliseconds permdown_period{1'200'000};
  /// Transfers are requested every this many periods.
  int clock_sample_periods = 2;
};

class peer_watch {
public:
  using time_point = std::chrono::steady_clock::time_point;

  /// What hearing from a replica changes.
  struct heard_result {
    /// An earlier incarnation of the same node, to forget first.
    std::optional<replica_ref> replaced;
    /// The replica is new or was down: mark it up.
    bool came_up = false;
  };

  /// Replicas whose silence crossed a period at a tick.
  struct expiry {
    std::vector<replica_ref> down;
    std::vector<replica_ref> permdown;
  };

  /// `r` sent a heartbeat with `clocks` at `now`.
  heard_result heard(const replica_ref& r, const version_vector& clocks, time_point now);

  /// The replicas to mark down and to forget at `now`, each reported once.
  [[nodiscard]] expiry expire(time_point now, const gossip_settings& s);

  /// The replicas to ask for a transfer given `own` clocks: those whose clocks
  /// heard since the last call no other heard clock, nor `own`, dominates.
  /// Forgets the heard clocks.
  [[nodiscard]] std::vector<replica_ref> transfer_targets(const replica_ref& self,
                                                          const version_vector& own);

  /// Forgets `r` (it left gracefully or was forgotten).
  void forget(const replica_ref& r);

  /// Whether `r` is known and up.
  [[nodiscard]] bool is_up(const replica_ref& r) const;

  /// Known replicas, up or down.
  [[nodiscard]] std::size_t size() const noexcept { return peers_.size(); }

private:
  struct peer {
    time_point last_heard{};
    bool down = false;
  };

  std::map<replica_ref, peer> peers_;
  std::map<replica_ref, version_vector> sampled_clocks_;
};

} // namespace rt::presence
