#include "rt/presence/tracker_core.hpp"

#include <utility>

#include "rt/presence/meta.hpp"

namespace rt::presence {

tracker_core::tracker_core(replica_ref self, std::vector<std::size_t> generation_caps)
  : tracker_core(self, phx_ref_source{replica_hash16(self)}, std::move(generation_caps)) {}

tracker_core::tracker_core(replica_ref self, phx_ref_source refs,
                           std::vector<std::size_t> generation_caps)
  : state_(std::move(self)), generations_(std::move(generation_caps)), refs_(refs) {}

expected<presence_diff> tracker_core::track(owner_id owner, std::string_view topic,
                                            std::string_view key, const boost::json::object& meta,
                                            std::uint64_t unix_ns) {
  if (state_.find_local(owner, topic, key) != nullptr)
    return tl::unexpected(errc::already_tracked);
  auto joined = state_.join(owner, topic, key, tracked_meta(meta, refs_.next(unix_ns)));
  if (!joined)
    return tl::unexpected(joined.error());
  presence_diff diff;
  diff.joins.push_back(std::move(*joined));
  return diff;
}

expected<presence_diff> tracker_core::update(owner_id owner, std::string_view topic,
                                             std::string_view key, const boost::json::object& meta,
                                             std::uint64_t unix_ns) {
  const auto* old = state_.find_local(owner, topic, key);
  if (old == nullptr)
    return tl::unexpected(errc::not_tracked);
  auto stored = tracked_meta(meta, refs_.next(unix_ns), phx_ref_of(*old));
  return state_.leave_join(owner, topic, key, std::move(stored));
}

expected<presence_diff> tracker_core::untrack(owner_id owner, std::string_view topic,
                                              std::string_view key) {
  auto left = state_.leave(owner, topic, key);
  if (!left)
    return tl::unexpected(left.error());
  presence_diff diff;
  diff.leaves.push_back(std::move(*left));
  return diff;
}

presence_diff tracker_core::untrack_owner(owner_id owner) {
  return state_.leave_owner(owner);
}

const boost::json::object* tracker_core::find_local(owner_id owner, std::string_view topic,
                                                    std::string_view key) const {
  return state_.find_local(owner, topic, key);
}

std::optional<delta> tracker_core::take_heartbeat_delta() {
  if (!state_.has_delta())
    return std::nullopt;
  auto d = state_.take_delta();
  generations_.push(d);
  return d;
}

presence_diff tracker_core::merge_heartbeat(const delta& remote) {
  auto diff = state_.merge(remote);
  generations_.push(remote);
  return diff;
}

transfer_payload tracker_core::answer_transfer(const replica_ref& requester,
                                               const version_vector& requester_clocks) const {
  auto seen = state_.context().contiguous;
  // Local events since the last heartbeat are in no generation yet; that
  // heartbeat will carry them.
  seen[self()] = clock_of(state_.pending_delta().start, self());
  if (const auto* generation = generations_.covering(requester, requester_clocks, seen))
    return delta_for(*generation, requester, requester_clocks);
  return state_.extract(requester, requester_clocks);
}

presence_diff tracker_core::merge_transfer(const transfer_payload& answer) {
  if (const auto* d = std::get_if<delta>(&answer))
    return merge_heartbeat(*d);
  auto diff = state_.merge(std::get<causal_state>(answer));
  // The generations no longer describe how this state was reached.
  generations_.clear();
  return diff;
}

expected<presence_diff> tracker_core::replica_up(const replica_ref& r) {
  return state_.replica_up(r);
}

expected<presence_diff> tracker_core::replica_down(const replica_ref& r) {
  return state_.replica_down(r);
}

expected<presence_diff> tracker_core::permdown(const replica_ref& r) {
  auto diff = state_.permdown(r);
  if (diff)
    generations_.forget_replica(r);
  return diff;
}

} // namespace rt::presence
