#include "rt/replication/change_router.hpp"

#include <algorithm>

namespace rt::replication {

namespace {

bool passes(const bound_filter& f, const row_change& change, const row_tuples& tuples) {
  auto index = change.relation->index_of(f.column);
  if (!index)
    return false;
  auto value = filter_value(change, tuples, *index);
  // A value the stream did not carry cannot be shown to match, as in Supabase
  // where the filter's column is then missing from the change.
  if (!value)
    return false;
  return evaluate(f.filter, *value) == truth::yes;
}

bool has_primary_key(const relation_snapshot& relation) {
  return std::find(relation.primary_key.begin(), relation.primary_key.end(), true) !=
         relation.primary_key.end();
}

bool route_matches(const change_route& r, const row_change& change, const row_tuples& tuples) {
  if ((r.events & static_cast<std::uint8_t>(change.kind)) == 0)
    return false;
  return std::all_of(r.filters.begin(), r.filters.end(),
                     [&](const bound_filter& f) { return passes(f, change, tuples); });
}

} // namespace

column_selection change_router::intern(column_selection selection) {
  if (!selection)
    return selection;
  selection_key names = *selection;
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  auto& held = selections_[std::move(names)];
  if (auto same = held.lock())
    return same;
  held = selection;
  return selection;
}

void change_router::add(change_route route) {
  route.columns = intern(std::move(route.columns));
  // Routes stay sorted by subscriber, so one subscriber's routes are
  // adjacent when matching. Subscribers are actor ids, which grow: the
  // insertion point is nearly always the end.
  auto& routes = by_relid_[route.relid];
  auto at = std::upper_bound(routes.begin(), routes.end(), route.subscriber,
                             [](std::uint64_t s, const change_route& r) { return s < r.subscriber; });
  routes.insert(at, std::move(route));
  ++count_;
}

void change_router::remove_subscriber(std::uint64_t subscriber) {
  for (auto it = by_relid_.begin(); it != by_relid_.end();) {
    auto& routes = it->second;
    auto before = routes.size();
    std::erase_if(routes, [subscriber](const change_route& r) { return r.subscriber == subscriber; });
    count_ -= before - routes.size();
    it = routes.empty() ? by_relid_.erase(it) : std::next(it);
  }
  std::erase_if(selections_, [](const auto& entry) { return entry.second.expired(); });
}

std::vector<route_match> change_router::match(const row_change& change,
                                              const row_tuples& tuples) const {
  std::vector<route_match> out;
  auto it = by_relid_.find(change.relation->relation.relid);
  if (it == by_relid_.end())
    return out;
  bool removed = change.kind == change_kind::remove;
  // A change of a table without a primary key carries no row (the 400
  // error shape), so it has nothing to check.
  bool checkable = !removed && has_primary_key(*change.relation);
  for (const auto& r : it->second) {
    if (!route_matches(r, change, tuples))
      continue;
    bool key_only = removed && r.row_security;
    bool check = checkable && r.check_visibility;
    route_match* same = nullptr;
    for (auto k = out.rbegin(); k != out.rend() && k->subscriber == r.subscriber; ++k)
      if (k->columns == r.columns && k->old_key_only == key_only && k->check_visibility == check)
        same = &*k;
    if (same == nullptr)
      out.push_back({r.subscriber, {r.binding_id}, r.columns, key_only, check});
    else
      same->ids.push_back(r.binding_id);
  }
  for (auto& m : out) {
    std::sort(m.ids.begin(), m.ids.end());
    m.ids.erase(std::unique(m.ids.begin(), m.ids.end()), m.ids.end());
  }
  return out;
}

std::vector<bool> visible_mask(const relation_snapshot& relation,
                               const column_selection& selection) {
  if (!selection)
    return {};
  const auto& columns = relation.relation.columns;
  std::vector<bool> mask(columns.size(), false);
  for (std::size_t i = 0; i < columns.size(); ++i)
    mask[i] = (i < relation.primary_key.size() && relation.primary_key[i]) ||
              std::find(selection->begin(), selection->end(), columns[i].name) != selection->end();
  return mask;
}

std::vector<std::uint32_t> change_router::relids() const {
  std::vector<std::uint32_t> out;
  out.reserve(by_relid_.size());
  for (const auto& [relid, routes] : by_relid_)
    out.push_back(relid);
  return out;
}

} // namespace rt::replication
