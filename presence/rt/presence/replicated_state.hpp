#pragma once

// The tracker's replicated state, with Phoenix.Tracker.State's semantics: an
// observed-remove set of elements (topic, key, owner) -> meta, each tagged
// with the dot of the join that made it, plus the causal context of every dot
// seen. A merge adds the remote elements whose dots are new here and removes
// the local elements the remote has seen (its context covers their dots) but
// no longer holds. Only the replica that made an element removes it, so its
// own elements are never removed by a merge; elements of replicas this one
// does not know are ignored, so a forgotten replica cannot come back through a
// third party's stale state.
//
// Replicas are known (up or down) from replica_up until permdown. Elements of
// a down replica are kept but not listed, and no diff reports them until it is
// up again; the diffs returned are exactly the changes to what list() shows.

#include <cstddef>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "rt/presence/causal_state.hpp"
#include "rt/presence/delta.hpp"
#include "rt/presence/element_store.hpp"
#include "rt/presence/error.hpp"
#include "rt/presence/presence.hpp"

namespace rt::presence {

/// One replica's copy of the presence set.
class replicated_state {
public:
  /// An empty state for replica `self`, which is known and up.
  explicit replicated_state(replica_ref self);

  /// The local replica.
  [[nodiscard]] const replica_ref& self() const noexcept { return self_; }

  /// Adds `owner`'s presence under `key` in `topic` with `meta` as given.
  /// Fails with errc::already_tracked when that presence exists.
  expected<presence> join(owner_id owner, std::string_view topic, std::string_view key,
                          boost::json::object meta);

  /// Removes `owner`'s presence under `key` in `topic` and returns it. Fails
  /// with errc::not_tracked when there is none.
  expected<presence> leave(owner_id owner, std::string_view topic, std::string_view key);

  /// Replaces the meta of `owner`'s presence under `key` in `topic`: a leave
  /// then a join, reported as both. Fails with errc::not_tracked.
  expected<presence_diff> leave_join(owner_id owner, std::string_view topic, std::string_view key,
                                     boost::json::object meta);

  /// Removes every presence of `owner` (it exited); returns them as leaves.
  presence_diff leave_owner(owner_id owner);

  /// The meta of `owner`'s presence under `key` in `topic`; null when none.
  /// Valid until the state changes.
  [[nodiscard]] const boost::json::object* find_local(owner_id owner, std::string_view topic,
                                                      std::string_view key) const;

  /// Whether the pending delta records any event.
  [[nodiscard]] bool has_delta() const;

  /// Local events (and observed removals) since the last take_delta.
  [[nodiscard]] const delta& pending_delta() const noexcept { return pending_; }

  /// Returns the pending delta, for a heartbeat, and starts a new one at the
  /// current clock.
  delta take_delta();

  /// Merges a delta from another replica; returns what changed in the listing.
  presence_diff merge(const delta& remote);

  /// Merges another replica's extracted state; returns what changed.
  presence_diff merge(const causal_state& remote);

  /// The state to send `requester`, whose clocks are `requester_context`: the
  /// context of the replicas it knows, and their elements except its own.
  [[nodiscard]] causal_state extract(const replica_ref& requester,
                                     const version_vector& requester_context) const;

  /// This replica's context, without down replicas: what it asks transfers
  /// for. Down replicas are left out so that a newcomer that never knew them
  /// does not look behind and keep being sent full states.
  [[nodiscard]] version_vector clocks() const;

  /// Every dot seen, per known replica.
  [[nodiscard]] const causal_context& context() const noexcept { return context_; }

  /// Marks `r` known and up. A replica coming back from down has its elements
  /// listed again, reported as joins; an unknown one starts at clock 0. Fails
  /// with errc::own_replica for self.
  expected<presence_diff> replica_up(const replica_ref& r);

  /// Marks `r` down: its elements are kept but hidden, reported as leaves.
  /// Unknown or already down: nothing changes. Fails with errc::own_replica.
  expected<presence_diff> replica_down(const replica_ref& r);

  /// Forgets `r` (permanently gone): its elements, context and delta entries.
  /// When it was up its elements are reported as leaves; when down they were
  /// reported already. Unknown: nothing changes. Fails with errc::own_replica.
  expected<presence_diff> permdown(const replica_ref& r);

  /// Up or down for a known replica; nullopt when unknown.
  [[nodiscard]] std::optional<replica_status> status_of(const replica_ref& r) const;

  /// The listed presences of `topic`, grouped by key. Valid until the state
  /// changes.
  [[nodiscard]] std::vector<presence_view> list(std::string_view topic) const;

  /// The listed presences of `key` in `topic`. Valid until the state changes.
  [[nodiscard]] std::vector<presence_view> get_by_key(std::string_view topic,
                                                      std::string_view key) const;

  /// Elements held, listed or not.
  [[nodiscard]] std::size_t size() const noexcept { return store_.size(); }

private:
  std::uint64_t bump_clock();
  void record_removal(const dot& d);
  [[nodiscard]] delta fresh_delta() const;
  [[nodiscard]] bool is_known(const replica_ref& r) const;
  [[nodiscard]] bool is_listed(const replica_ref& r) const;
  [[nodiscard]] std::vector<presence_view> listed(element_store::range elements) const;
  [[nodiscard]] std::vector<presence> presences_of(const replica_ref& r) const;

  presence_diff merge_from(const version_vector& contiguous, const dot_clouds& clouds,
                           const dotted_values& values);
  [[nodiscard]] std::vector<dot> observed_removals(const version_vector& contiguous,
                                                   const dot_clouds& clouds,
                                                   const dotted_values& values) const;
  [[nodiscard]] std::vector<const dotted_values::value_type*> unseen_values(
    const dotted_values& values) const;
  void remove_remote(const dot& d, presence_diff& diff);
  void add_remote(const dotted_values::value_type& entry, presence_diff& diff);
  void absorb_context(const version_vector& contiguous, const dot_clouds& clouds);

  replica_ref self_;
  causal_context context_;
  std::map<replica_ref, replica_status> statuses_;
  element_store store_;
  delta pending_;
};

} // namespace rt::presence
