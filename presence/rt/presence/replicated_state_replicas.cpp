// replicated_state: replicas coming up, going down and going away.

#include "rt/presence/replicated_state.hpp"

namespace rt::presence {

expected<presence_diff> replicated_state::replica_up(const replica_ref& r) {
  if (r == self_)
    return tl::unexpected(errc::own_replica);
  auto [status, inserted] = statuses_.try_emplace(r, replica_status::up);
  if (inserted) {
    context_.contiguous.try_emplace(r, 0);
    return presence_diff{};
  }
  if (status->second == replica_status::up)
    return presence_diff{};
  status->second = replica_status::up;
  return presence_diff{presences_of(r), {}};
}

expected<presence_diff> replicated_state::replica_down(const replica_ref& r) {
  if (r == self_)
    return tl::unexpected(errc::own_replica);
  auto status = statuses_.find(r);
  if (status == statuses_.end() || status->second == replica_status::down)
    return presence_diff{};
  status->second = replica_status::down;
  return presence_diff{{}, presences_of(r)};
}

expected<presence_diff> replicated_state::permdown(const replica_ref& r) {
  if (r == self_)
    return tl::unexpected(errc::own_replica);
  auto status = statuses_.find(r);
  if (status == statuses_.end())
    return presence_diff{};
  presence_diff diff;
  if (status->second == replica_status::up)
    diff.leaves = presences_of(r);
  statuses_.erase(status);
  store_.erase_replica(r);
  forget_replica(context_, r);
  forget_replica(pending_, r);
  return diff;
}

std::optional<replica_status> replicated_state::status_of(const replica_ref& r) const {
  auto it = statuses_.find(r);
  if (it == statuses_.end())
    return std::nullopt;
  return it->second;
}

version_vector replicated_state::clocks() const {
  version_vector out;
  for (const auto& [r, clock] : context_.contiguous)
    if (is_listed(r))
      out.emplace_hint(out.end(), r, clock);
  return out;
}

std::vector<presence> replicated_state::presences_of(const replica_ref& r) const {
  std::vector<presence> out;
  if (auto* index = store_.of_replica(r))
    for (const auto& entry : *index)
      out.push_back(presence_at(entry.second));
  return out;
}

} // namespace rt::presence
