#include "rt/presence/peer_watch.hpp"

#include <algorithm>
#include <utility>

namespace rt::presence {

peer_watch::heard_result peer_watch::heard(const replica_ref& r, const version_vector& clocks,
                                           time_point now) {
  heard_result result;
  auto same_node = std::find_if(peers_.begin(), peers_.end(), [&r](const auto& entry) {
    return entry.first.node == r.node && entry.first.vsn != r.vsn;
  });
  if (same_node != peers_.end()) {
    result.replaced = same_node->first;
    sampled_clocks_.erase(same_node->first);
    peers_.erase(same_node);
  }
  auto [it, inserted] = peers_.try_emplace(r);
  result.came_up = inserted || it->second.down;
  it->second = {now, false};
  sampled_clocks_[r] = clocks;
  return result;
}

peer_watch::expiry peer_watch::expire(time_point now, const gossip_settings& s) {
  expiry out;
  for (auto it = peers_.begin(); it != peers_.end();) {
    auto silent = now - it->second.last_heard;
    if (silent > s.permdown_period) {
      out.permdown.push_back(it->first);
      sampled_clocks_.erase(it->first);
      it = peers_.erase(it);
      continue;
    }
    if (silent > s.down_period && !it->second.down) {
      it->second.down = true;
      out.down.push_back(it->first);
    }
    ++it;
  }
  return out;
}

std::vector<replica_ref> peer_watch::transfer_targets(const replica_ref& self,
                                                      const version_vector& own) {
  // The smallest set of clocks that together cover all heard: a clock some
  // kept clock dominates adds nothing; one that dominates kept clocks
  // replaces them. Our own clock goes first: what it covers needs no transfer.
  std::vector<std::pair<replica_ref, version_vector>> kept{{self, own}};
  for (auto& heard : std::exchange(sampled_clocks_, {})) {
    const auto& clocks = heard.second;
    if (heard.first == self)
      continue;
    auto covers = [&clocks](const auto& k) { return dominates(k.second, clocks); };
    if (std::any_of(kept.begin(), kept.end(), covers))
      continue;
    std::erase_if(kept, [&clocks, &self](const auto& k) {
      return k.first != self && dominates(clocks, k.second);
    });
    kept.emplace_back(heard.first, clocks);
  }
  std::vector<replica_ref> out;
  for (auto& [r, clocks] : kept)
    if (r != self)
      out.push_back(r);
  return out;
}

void peer_watch::forget(const replica_ref& r) {
  peers_.erase(r);
  sampled_clocks_.erase(r);
}

bool peer_watch::is_up(const replica_ref& r) const {
  auto it = peers_.find(r);
  return it != peers_.end() && !it->second.down;
}

} // namespace rt::presence
