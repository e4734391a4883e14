#include "rt/presence/replicated_state.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace rt::presence {

replicated_state::replicated_state(replica_ref self)
  : self_(self), store_(self), pending_() {
  context_.contiguous.emplace(self_, 0);
  statuses_.emplace(self_, replica_status::up);
  pending_ = fresh_delta();
}

expected<presence> replicated_state::join(owner_id owner, std::string_view topic,
                                          std::string_view key, boost::json::object meta) {
  if (!store_.owned(self_, owner, topic, key).empty())
    return tl::unexpected(errc::already_tracked);
  dot d{self_, bump_clock()};
  element e{std::string{topic}, std::string{key}, owner, std::move(meta)};
  pending_.values.emplace(d, e);
  presence joined{self_, owner, e.topic, e.key, e.meta};
  store_.insert(d, std::move(e));
  return joined;
}

expected<presence> replicated_state::leave(owner_id owner, std::string_view topic,
                                           std::string_view key) {
  auto held = store_.owned(self_, owner, topic, key);
  if (held.empty())
    return tl::unexpected(errc::not_tracked);
  dot d = dot_at(held.begin());
  auto left = store_.erase(d);
  record_removal(d);
  // A leave is an event of its own, so the delta's range moves on with it.
  bump_clock();
  return std::move(*left);
}

expected<presence_diff> replicated_state::leave_join(owner_id owner, std::string_view topic,
                                                     std::string_view key,
                                                     boost::json::object meta) {
  auto left = leave(owner, topic, key);
  if (!left)
    return tl::unexpected(left.error());
  auto joined = join(owner, topic, key, std::move(meta));
  presence_diff diff;
  diff.joins.push_back(std::move(*joined));
  diff.leaves.push_back(std::move(*left));
  return diff;
}

presence_diff replicated_state::leave_owner(owner_id owner) {
  std::vector<dot> dots;
  for (auto it : store_.of_local_owner(owner))
    dots.push_back(dot_at(it));
  presence_diff diff;
  for (const auto& d : dots) {
    diff.leaves.push_back(std::move(*store_.erase(d)));
    record_removal(d);
    bump_clock();
  }
  return diff;
}

const boost::json::object* replicated_state::find_local(owner_id owner, std::string_view topic,
                                                        std::string_view key) const {
  auto held = store_.owned(self_, owner, topic, key);
  return held.empty() ? nullptr : &held.begin()->second;
}

bool replicated_state::has_delta() const {
  return has_events(pending_);
}

delta replicated_state::take_delta() {
  delta out = std::exchange(pending_, fresh_delta());
  compact(context_);
  return out;
}

std::vector<presence_view> replicated_state::list(std::string_view topic) const {
  return listed(store_.topic(topic));
}

std::vector<presence_view> replicated_state::get_by_key(std::string_view topic,
                                                        std::string_view key) const {
  return listed(store_.key(topic, key));
}

std::vector<presence_view> replicated_state::listed(element_store::range elements) const {
  bool any_down = std::any_of(statuses_.begin(), statuses_.end(), [](const auto& entry) {
    return entry.second == replica_status::down;
  });
  std::vector<presence_view> out;
  for (auto it = elements.begin(); it != elements.end(); ++it)
    if (!any_down || is_listed(it->first.replica))
      out.push_back(view_at(it));
  return out;
}

std::uint64_t replicated_state::bump_clock() {
  auto clock = ++context_.contiguous[self_];
  add_to_clouds(pending_.clouds, dot{self_, clock});
  pending_.end[self_] = clock;
  return clock;
}

void replicated_state::record_removal(const dot& d) {
  add_to_clouds(pending_.clouds, d);
  pending_.values.erase(d);
}

delta replicated_state::fresh_delta() const {
  version_vector now{{self_, clock_of(context_.contiguous, self_)}};
  return delta{now, now, {}, {}};
}

bool replicated_state::is_known(const replica_ref& r) const {
  return statuses_.contains(r);
}

bool replicated_state::is_listed(const replica_ref& r) const {
  auto it = statuses_.find(r);
  return it != statuses_.end() && it->second == replica_status::up;
}

} // namespace rt::presence
