#pragma once

// The elements one replica holds, ordered by (topic, key, replica, owner,
// clock) so that a topic, and a key within it, are contiguous ranges: a
// listing comes out grouped by key. Two indexes point into it: by dot (per
// replica, by clock) for merges and replica up/down, and by owner for the
// local replica's elements, so that an owner's exit finds its presences.
// Every container grows with the elements held and shrinks as they go.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <boost/json/object.hpp>

#include "rt/presence/dot.hpp"
#include "rt/presence/element.hpp"
#include "rt/presence/presence.hpp"

namespace rt::presence {

/// Where an element sits in the store; also its full identity.
struct element_id {
  /// Channel topic.
  std::string topic;
  /// Presence key.
  std::string key;
  /// The replica that made it.
  replica_ref replica;
  /// Who tracks it on that replica.
  owner_id owner = 0;
  /// The clock of its dot.
  std::uint64_t clock = 0;

  friend auto operator<=>(const element_id&, const element_id&) = default;
};

/// Lookup prefixes of element_id, so ranges are found without building one.
struct topic_prefix {
  /// Channel topic.
  std::string_view topic;
  /// The element_id fields this prefix compares.
  static auto of(const element_id& e) { return std::tuple<std::string_view>{e.topic}; }
  /// This prefix as a comparable tuple.
  auto fields() const { return std::tuple<std::string_view>{topic}; }
};

/// A (topic, key) prefix.
struct key_prefix {
  /// Channel topic.
  std::string_view topic;
  /// Presence key.
  std::string_view key;
  /// The element_id fields this prefix compares.
  static auto of(const element_id& e) {
    return std::tuple<std::string_view, std::string_view>{e.topic, e.key};
  }
  /// This prefix as a comparable tuple.
  auto fields() const { return std::tuple<std::string_view, std::string_view>{topic, key}; }
};

/// A (topic, key, replica, owner) prefix: one owner's presence under a key.
struct owner_prefix {
  /// Channel topic.
  std::string_view topic;
  /// Presence key.
  std::string_view key;
  /// The replica that made it; never null.
  const replica_ref* replica = nullptr;
  /// Who tracks it.
  owner_id owner = 0;
  /// The element_id fields this prefix compares.
  static auto of(const element_id& e) {
    return std::tuple<std::string_view, std::string_view, const replica_ref&, owner_id>{
      e.topic, e.key, e.replica, e.owner};
  }
  /// This prefix as a comparable tuple.
  auto fields() const {
    return std::tuple<std::string_view, std::string_view, const replica_ref&, owner_id>{
      topic, key, *replica, owner};
  }
};

/// Orders element ids, and ids against the prefixes above.
struct element_order {
  /// Enables lookups by prefix.
  using is_transparent = void;
  /// Full ids compare field by field.
  bool operator()(const element_id& a, const element_id& b) const { return a < b; }
  /// An id against a prefix: by the prefix's fields only.
  template <class Prefix>
  bool operator()(const element_id& a, const Prefix& p) const {
    return Prefix::of(a) < p.fields();
  }
  /// A prefix against an id: by the prefix's fields only.
  template <class Prefix>
  bool operator()(const Prefix& p, const element_id& b) const {
    return p.fields() < Prefix::of(b);
  }
};

/// The elements of one replica's state, with their indexes.
class element_store {
public:
  /// Element id -> meta.
  using element_map = std::map<element_id, boost::json::object, element_order>;
  /// Position of one element.
  using iterator = element_map::const_iterator;
  /// Consecutive elements.
  using range = std::ranges::subrange<iterator>;
  /// Clock -> element, for one replica.
  using clock_index = std::map<std::uint64_t, iterator>;

  /// An empty store whose owner index covers the elements of `local`.
  explicit element_store(replica_ref local);

  /// Adds `e` tagged `d`. Returns false, changing nothing, when `d` is held.
  bool insert(const dot& d, element e);

  /// Removes the element tagged `d` and returns it; nullopt when not held.
  std::optional<presence> erase(const dot& d);

  /// Whether an element tagged `d` is held.
  [[nodiscard]] bool contains(const dot& d) const;

  /// The elements of `topic`, grouped by key.
  [[nodiscard]] range topic(std::string_view topic) const;

  /// The elements of `key` in `topic`.
  [[nodiscard]] range key(std::string_view topic, std::string_view key) const;

  /// The elements `owner` of replica `r` tracks under `key` in `topic`.
  [[nodiscard]] range owned(const replica_ref& r, owner_id owner, std::string_view topic,
                            std::string_view key) const;

  /// The elements of `r` by clock; null when it has none.
  [[nodiscard]] const clock_index* of_replica(const replica_ref& r) const;

  /// The local replica's elements tracked by `owner`.
  [[nodiscard]] std::vector<iterator> of_local_owner(owner_id owner) const;

  /// Removes every element of `r`.
  void erase_replica(const replica_ref& r);

  /// Number of elements held.
  [[nodiscard]] std::size_t size() const noexcept { return elements_.size(); }

private:
  void unindex_owner(iterator it);

  replica_ref local_;
  element_map elements_;
  std::map<replica_ref, clock_index> by_dot_;
  std::multimap<owner_id, iterator> by_local_owner_;
};

/// The presence at `it`, copied.
[[nodiscard]] presence presence_at(element_store::iterator it);

/// The element at `it` (without its dot), copied.
[[nodiscard]] element element_at(element_store::iterator it);

/// The presence at `it`, borrowed.
[[nodiscard]] presence_view view_at(element_store::iterator it) noexcept;

/// The dot of the element at `it`.
[[nodiscard]] dot dot_at(element_store::iterator it);

} // namespace rt::presence
