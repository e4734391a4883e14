#include "rt/presence/causal_context.hpp"

namespace rt::presence {

namespace {

// Advances `prefix` through `cloud` and erases every clock it then covers.
void fold_cloud(std::uint64_t& prefix, std::set<std::uint64_t>& cloud) {
  cloud.erase(cloud.begin(), cloud.upper_bound(prefix));
  while (!cloud.empty() && *cloud.begin() == prefix + 1) {
    ++prefix;
    cloud.erase(cloud.begin());
  }
}

} // namespace

bool in_clouds(const dot_clouds& clouds, const dot& d) {
  auto it = clouds.find(d.replica);
  return it != clouds.end() && it->second.contains(d.clock);
}

bool covers(const causal_context& c, const dot& d) {
  return clock_of(c.contiguous, d.replica) >= d.clock || in_clouds(c.clouds, d);
}

void add_to_clouds(dot_clouds& clouds, const dot& d) {
  clouds[d.replica].insert(d.clock);
}

void merge_clouds(dot_clouds& into, const dot_clouds& from) {
  for (const auto& [replica, cloud] : from)
    if (!cloud.empty())
      into[replica].insert(cloud.begin(), cloud.end());
}

std::size_t dot_count(const dot_clouds& clouds) {
  std::size_t n = 0;
  for (const auto& entry : clouds)
    n += entry.second.size();
  return n;
}

void compact(causal_context& c) {
  for (auto it = c.clouds.begin(); it != c.clouds.end();) {
    auto prefix = c.contiguous.find(it->first);
    if (prefix != c.contiguous.end())
      fold_cloud(prefix->second, it->second);
    it = it->second.empty() ? c.clouds.erase(it) : std::next(it);
  }
}

dot_clouds restricted_to(const dot_clouds& clouds, const version_vector& known) {
  dot_clouds out;
  for (const auto& [replica, cloud] : clouds)
    if (known.contains(replica))
      out.emplace_hint(out.end(), replica, cloud);
  return out;
}

causal_context restricted_to(const causal_context& c, const version_vector& known) {
  return {restricted_to(c.contiguous, known), restricted_to(c.clouds, known)};
}

void forget_replica(causal_context& c, const replica_ref& r) {
  c.contiguous.erase(r);
  c.clouds.erase(r);
}

} // namespace rt::presence
