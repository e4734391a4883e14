#include "rt/presence/delta.hpp"

namespace rt::presence {

namespace {

bool ranges_touch(const delta& a, const delta& b) {
  return dominates_or_equal(b.end, a.start) && dominates_or_equal(a.end, b.start);
}

// Values of `from` that `other` does not contradict: `other` holds them too,
// or never saw their dot (so cannot have removed them).
void add_uncontradicted(dotted_values& out, const dotted_values& from, const delta& other) {
  for (const auto& [d, e] : from)
    if (other.values.contains(d) || !in_clouds(other.clouds, d))
      out.emplace(d, e);
}

} // namespace

std::size_t delta_size(const delta& d) {
  return d.values.size() + dot_count(d.clouds);
}

bool has_events(const delta& d) {
  return dot_count(d.clouds) != 0;
}

expected<delta> merge_deltas(const delta& a, const delta& b) {
  if (!ranges_touch(a, b))
    return tl::unexpected(errc::not_contiguous);
  delta out;
  out.start = lower_bound_of(a.start, b.start);
  out.end = upper_bound_of(a.end, b.end);
  out.clouds = a.clouds;
  merge_clouds(out.clouds, b.clouds);
  add_uncontradicted(out.values, a.values, b);
  add_uncontradicted(out.values, b.values, a);
  return out;
}

delta delta_for(const delta& d, const replica_ref& requester,
                const version_vector& requester_context) {
  delta out;
  out.start = restricted_to(d.start, requester_context);
  out.end = restricted_to(d.end, requester_context);
  out.clouds = restricted_to(d.clouds, requester_context);
  for (const auto& [dt, e] : d.values)
    if (requester_context.contains(dt.replica))
      out.values.emplace_hint(out.values.end(), dt, e);
  forget_replica(out, requester);
  return out;
}

void forget_replica(delta& d, const replica_ref& r) {
  d.start.erase(r);
  d.end.erase(r);
  d.clouds.erase(r);
  std::erase_if(d.values, [&](const auto& entry) { return entry.first.replica == r; });
}

} // namespace rt::presence
