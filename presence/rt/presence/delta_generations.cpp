#include "rt/presence/delta_generations.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace rt::presence {

namespace {

/// How far behind a remote is on one replica.
struct lag {
  std::uint64_t remote_clock;
  std::uint64_t local_clock;
};

/// The replicas, other than the requester, on which the remote is behind.
std::map<replica_ref, lag> lags(const replica_ref& requester, const version_vector& remote,
                                const version_vector& local) {
  std::map<replica_ref, lag> out;
  for (const auto& [r, local_clock] : local) {
    auto remote_clock = remote.find(r);
    if (r != requester && remote_clock != remote.end() && remote_clock->second < local_clock)
      out.emplace(r, lag{remote_clock->second, local_clock});
  }
  return out;
}

bool spans(const delta& generation, const replica_ref& r, const lag& l) {
  auto start = generation.start.find(r);
  auto end = generation.end.find(r);
  return start != generation.start.end() && end != generation.end.end()
         && start->second <= l.remote_clock && end->second >= l.local_clock;
}

bool spans_all(const delta& generation, const std::map<replica_ref, lag>& behind) {
  return std::all_of(behind.begin(), behind.end(),
                     [&](const auto& entry) { return spans(generation, entry.first, entry.second); });
}

} // namespace

delta_generations::delta_generations(std::vector<std::size_t> caps) : caps_(std::move(caps)) {}

void delta_generations::push(const delta& d) {
  if (generations_.empty()) {
    generations_.assign(caps_.size(), d);
    return;
  }
  // `previous` is the last merge result, which replaces a generation that
  // would outgrow its cap.
  delta previous = d;
  for (std::size_t i = 0; i < generations_.size(); ++i) {
    auto merged = merge_deltas(generations_[i], d);
    if (!merged) {
      previous = generations_[i];
      continue;
    }
    if (delta_size(*merged) <= caps_[i]) {
      generations_[i] = *merged;
      previous = std::move(*merged);
    } else {
      generations_[i] = std::exchange(previous, std::move(*merged));
    }
  }
}

const delta* delta_generations::covering(const replica_ref& requester,
                                         const version_vector& remote_context,
                                         const version_vector& local_context) const {
  auto behind = lags(requester, remote_context, local_context);
  if (behind.empty())
    return nullptr;
  for (const auto& generation : generations_)
    if (spans_all(generation, behind))
      return &generation;
  return nullptr;
}

void delta_generations::clear() noexcept {
  generations_.clear();
}

void delta_generations::forget_replica(const replica_ref& r) {
  for (auto& generation : generations_)
    rt::presence::forget_replica(generation, r);
}

} // namespace rt::presence
