#pragma once

// What the tracker actor owns per shard: the replicated state, the delta
// generations that answer transfers, and the phx_ref source. Every call is a
// pure step: time comes in as an argument, and each change comes back as the
// presence diff to fan out to the topic's local subscribers (see
// wire_payload.hpp). Sending heartbeats and transfers, timers, and deciding
// when a replica is up, down or gone belong to the actor.

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/object.hpp>

#include "rt/presence/delta_generations.hpp"
#include "rt/presence/phx_ref.hpp"
#include "rt/presence/replicated_state.hpp"

namespace rt::presence {

/// A transfer answer: a delta generation when one brings the requester
/// forward, otherwise the full state.
using transfer_payload = std::variant<delta, causal_state>;

/// One replica's tracker, without I/O.
class tracker_core {
public:
  /// A tracker for replica `self`, its phx_refs hashed from `self`.
  explicit tracker_core(replica_ref self,
                        std::vector<std::size_t> generation_caps = default_generation_caps);

  /// A tracker for replica `self` taking its phx_refs from `refs`.
  tracker_core(replica_ref self, phx_ref_source refs,
               std::vector<std::size_t> generation_caps = default_generation_caps);

  /// The local replica.
  [[nodiscard]] const replica_ref& self() const noexcept { return state_.self(); }

  /// Tracks `owner` under `key` in `topic` with the client's `meta` and a new
  /// phx_ref made at `unix_ns`; the diff's one join carries the stored meta.
  /// Fails with errc::already_tracked.
  expected<presence_diff> track(owner_id owner, std::string_view topic, std::string_view key,
                                const boost::json::object& meta, std::uint64_t unix_ns);

  /// Replaces the meta of `owner`'s presence with `meta`, a new phx_ref and
  /// phx_ref_prev = the old ref; the diff joins the new meta and leaves the
  /// old one. Fails with errc::not_tracked.
  expected<presence_diff> update(owner_id owner, std::string_view topic, std::string_view key,
                                 const boost::json::object& meta, std::uint64_t unix_ns);

  /// Stops tracking `owner` under `key` in `topic`. Fails with
  /// errc::not_tracked (which callers may treat as done).
  expected<presence_diff> untrack(owner_id owner, std::string_view topic, std::string_view key);

  /// Stops tracking everything of `owner` (it exited).
  presence_diff untrack_owner(owner_id owner);

  /// The stored meta of `owner`'s presence; null when none. Valid until the
  /// next change.
  [[nodiscard]] const boost::json::object* find_local(owner_id owner, std::string_view topic,
                                                      std::string_view key) const;

  /// The delta to broadcast in this heartbeat, kept in the generations too;
  /// nullopt when nothing happened since the last one (send an empty
  /// heartbeat when one is due).
  std::optional<delta> take_heartbeat_delta();

  /// Merges a delta heard in another replica's heartbeat.
  presence_diff merge_heartbeat(const delta& remote);

  /// The answer to `requester`'s transfer request carrying its clocks.
  [[nodiscard]] transfer_payload answer_transfer(const replica_ref& requester,
                                                 const version_vector& requester_clocks) const;

  /// Merges the answer to a transfer request this replica sent.
  presence_diff merge_transfer(const transfer_payload& answer);

  /// See replicated_state::replica_up.
  expected<presence_diff> replica_up(const replica_ref& r);

  /// See replicated_state::replica_down.
  expected<presence_diff> replica_down(const replica_ref& r);

  /// See replicated_state::permdown; also forgets `r` in the generations.
  expected<presence_diff> permdown(const replica_ref& r);

  /// This replica's clocks for heartbeats and transfer requests.
  [[nodiscard]] version_vector clocks() const { return state_.clocks(); }

  /// The listed presences of `topic`; valid until the next change.
  [[nodiscard]] std::vector<presence_view> list(std::string_view topic) const {
    return state_.list(topic);
  }

  /// The listed presences of `key` in `topic`; valid until the next change.
  [[nodiscard]] std::vector<presence_view> get_by_key(std::string_view topic,
                                                      std::string_view key) const {
    return state_.get_by_key(topic, key);
  }

  /// The replicated state, for inspection.
  [[nodiscard]] const replicated_state& state() const noexcept { return state_; }

  /// The delta generations, for inspection.
  [[nodiscard]] const delta_generations& generations() const noexcept { return generations_; }

private:
  replicated_state state_;
  delta_generations generations_;
  phx_ref_source refs_;
};

} // namespace rt::presence
