// replicated_state: merging remote deltas and states, and extracting state
// for a replica that asks for it.

#include <algorithm>

#include "rt/presence/replicated_state.hpp"

namespace rt::presence {

namespace {

// The clocks of `r` among `values`, ascending (values are ordered by dot).
std::vector<std::uint64_t> clocks_held(const dotted_values& values, const replica_ref& r) {
  std::vector<std::uint64_t> clocks;
  for (auto it = values.lower_bound(dot{r, 0}); it != values.end() && it->first.replica == r;
       ++it)
    clocks.push_back(it->first.clock);
  return clocks;
}

bool holds(const std::vector<std::uint64_t>& sorted_clocks, std::uint64_t clock) {
  return std::binary_search(sorted_clocks.begin(), sorted_clocks.end(), clock);
}

} // namespace

presence_diff replicated_state::merge(const delta& remote) {
  // A delta's context is its clouds alone.
  return merge_from(version_vector{}, remote.clouds, remote.values);
}

presence_diff replicated_state::merge(const causal_state& remote) {
  return merge_from(remote.context.contiguous, remote.context.clouds, remote.values);
}

presence_diff replicated_state::merge_from(const version_vector& contiguous,
                                           const dot_clouds& clouds,
                                           const dotted_values& values) {
  auto removed = observed_removals(contiguous, clouds, values);
  auto added = unseen_values(values);
  presence_diff diff;
  for (const auto& d : removed)
    remove_remote(d, diff);
  for (const auto* entry : added)
    add_remote(*entry, diff);
  absorb_context(contiguous, clouds);
  return diff;
}

std::vector<dot> replicated_state::observed_removals(const version_vector& contiguous,
                                                     const dot_clouds& clouds,
                                                     const dotted_values& values) const {
  std::vector<dot> out;
  for (const auto& [r, upto] : contiguous) {
    auto* index = r == self_ ? nullptr : store_.of_replica(r);
    if (index == nullptr)
      continue;
    auto kept = clocks_held(values, r);
    for (auto it = index->begin(); it != index->end() && it->first <= upto; ++it)
      if (!holds(kept, it->first))
        out.push_back(dot{r, it->first});
  }
  for (const auto& [r, cloud] : clouds) {
    auto* index = r == self_ ? nullptr : store_.of_replica(r);
    if (index == nullptr)
      continue;
    auto kept = clocks_held(values, r);
    // Clocks within the prefix were handled above.
    for (auto it = cloud.upper_bound(clock_of(contiguous, r)); it != cloud.end(); ++it)
      if (index->contains(*it) && !holds(kept, *it))
        out.push_back(dot{r, *it});
  }
  return out;
}

std::vector<const dotted_values::value_type*> replicated_state::unseen_values(
  const dotted_values& values) const {
  std::vector<const dotted_values::value_type*> out;
  for (const auto& entry : values) {
    const auto& d = entry.first;
    if (d.replica != self_ && is_known(d.replica) && !covers(context_, d))
      out.push_back(&entry);
  }
  return out;
}

void replicated_state::remove_remote(const dot& d, presence_diff& diff) {
  auto left = store_.erase(d);
  // Passing the removal on lets replicas that hear from us sooner than from
  // its maker drop it too.
  record_removal(d);
  if (left && is_listed(d.replica))
    diff.leaves.push_back(std::move(*left));
}

void replicated_state::add_remote(const dotted_values::value_type& entry, presence_diff& diff) {
  const auto& [d, e] = entry;
  store_.insert(d, e);
  // Holding an element implies having seen its dot, whatever the sender's
  // context said.
  add_to_clouds(context_.clouds, d);
  if (is_listed(d.replica))
    diff.joins.push_back(presence{d.replica, e.owner, e.topic, e.key, e.meta});
}

void replicated_state::absorb_context(const version_vector& contiguous,
                                      const dot_clouds& clouds) {
  for (const auto& [r, clock] : contiguous) {
    if (r == self_ || !is_known(r))
      continue;
    auto& mine = context_.contiguous[r];
    mine = std::max(mine, clock);
  }
  for (const auto& [r, cloud] : clouds)
    if (r != self_ && is_known(r) && !cloud.empty())
      context_.clouds[r].insert(cloud.begin(), cloud.end());
  compact(context_);
}

causal_state replicated_state::extract(const replica_ref& requester,
                                       const version_vector& requester_context) const {
  causal_state out;
  out.context = restricted_to(context_, requester_context);
  for (const auto& entry : requester_context) {
    const auto& r = entry.first;
    auto* index = r == requester ? nullptr : store_.of_replica(r);
    if (index == nullptr)
      continue;
    for (const auto& [clock, it] : *index)
      out.values.emplace_hint(out.values.end(), dot{r, clock}, element_at(it));
  }
  return out;
}

} // namespace rt::presence
