#include "rt/presence/version_vector.hpp"

#include <algorithm>

namespace rt::presence {

std::uint64_t clock_of(const version_vector& v, const replica_ref& r) {
  auto it = v.find(r);
  return it == v.end() ? 0 : it->second;
}

bool dominates(const version_vector& a, const version_vector& b) {
  if (a.size() < b.size())
    return false;
  return std::all_of(b.begin(), b.end(),
                     [&](const auto& entry) { return clock_of(a, entry.first) >= entry.second; });
}

bool dominates_or_equal(const version_vector& a, const version_vector& b) {
  if (a.empty())
    return b.empty();
  return std::all_of(a.begin(), a.end(),
                     [&](const auto& entry) { return entry.second >= clock_of(b, entry.first); });
}

version_vector upper_bound_of(const version_vector& a, const version_vector& b) {
  version_vector out = a;
  for (const auto& [replica, clock] : b) {
    auto [it, inserted] = out.emplace(replica, clock);
    if (!inserted)
      it->second = std::max(it->second, clock);
  }
  return out;
}

version_vector lower_bound_of(const version_vector& a, const version_vector& b) {
  version_vector out = a;
  for (const auto& [replica, clock] : b) {
    auto [it, inserted] = out.emplace(replica, clock);
    if (!inserted)
      it->second = std::min(it->second, clock);
  }
  return out;
}

version_vector restricted_to(const version_vector& v, const version_vector& known) {
  version_vector out;
  for (const auto& [replica, clock] : v)
    if (known.contains(replica))
      out.emplace_hint(out.end(), replica, clock);
  return out;
}

} // namespace rt::presence
