#include "rt/presence/element_store.hpp"

#include <utility>

namespace rt::presence {

element_store::element_store(replica_ref local) : local_(std::move(local)) {}

bool element_store::insert(const dot& d, element e) {
  if (contains(d))
    return false;
  element_id id{std::move(e.topic), std::move(e.key), d.replica, e.owner, d.clock};
  auto it = elements_.emplace(std::move(id), std::move(e.meta)).first;
  by_dot_[d.replica].emplace(d.clock, it);
  if (d.replica == local_)
    by_local_owner_.emplace(it->first.owner, it);
  return true;
}

std::optional<presence> element_store::erase(const dot& d) {
  auto replica = by_dot_.find(d.replica);
  if (replica == by_dot_.end())
    return std::nullopt;
  auto entry = replica->second.find(d.clock);
  if (entry == replica->second.end())
    return std::nullopt;
  auto it = entry->second;
  replica->second.erase(entry);
  if (replica->second.empty())
    by_dot_.erase(replica);
  if (d.replica == local_)
    unindex_owner(it);
  auto node = elements_.extract(it);
  auto& id = node.key();
  return presence{std::move(id.replica), id.owner, std::move(id.topic), std::move(id.key),
                  std::move(node.mapped())};
}

bool element_store::contains(const dot& d) const {
  auto index = of_replica(d.replica);
  return index != nullptr && index->contains(d.clock);
}

element_store::range element_store::topic(std::string_view topic) const {
  auto [first, last] = elements_.equal_range(topic_prefix{topic});
  return {first, last};
}

element_store::range element_store::key(std::string_view topic, std::string_view key) const {
  auto [first, last] = elements_.equal_range(key_prefix{topic, key});
  return {first, last};
}

element_store::range element_store::owned(const replica_ref& r, owner_id owner,
                                          std::string_view topic, std::string_view key) const {
  auto [first, last] = elements_.equal_range(owner_prefix{topic, key, &r, owner});
  return {first, last};
}

const element_store::clock_index* element_store::of_replica(const replica_ref& r) const {
  auto it = by_dot_.find(r);
  return it == by_dot_.end() ? nullptr : &it->second;
}

std::vector<element_store::iterator> element_store::of_local_owner(owner_id owner) const {
  std::vector<iterator> out;
  auto [first, last] = by_local_owner_.equal_range(owner);
  for (auto it = first; it != last; ++it)
    out.push_back(it->second);
  return out;
}

void element_store::erase_replica(const replica_ref& r) {
  auto replica = by_dot_.find(r);
  if (replica == by_dot_.end())
    return;
  for (const auto& [clock, it] : replica->second) {
    if (r == local_)
      unindex_owner(it);
    elements_.erase(it);
  }
  by_dot_.erase(replica);
}

void element_store::unindex_owner(iterator it) {
  auto [first, last] = by_local_owner_.equal_range(it->first.owner);
  for (auto entry = first; entry != last; ++entry) {
    if (entry->second == it) {
      by_local_owner_.erase(entry);
      return;
    }
  }
}

presence presence_at(element_store::iterator it) {
  const auto& id = it->first;
  return presence{id.replica, id.owner, id.topic, id.key, it->second};
}

element element_at(element_store::iterator it) {
  const auto& id = it->first;
  return element{id.topic, id.key, id.owner, it->second};
}

presence_view view_at(element_store::iterator it) noexcept {
  const auto& id = it->first;
  return presence_view{id.key, &id.replica, id.owner, &it->second};
}

dot dot_at(element_store::iterator it) {
  return dot{it->first.replica, it->first.clock};
}

} // namespace rt::presence
