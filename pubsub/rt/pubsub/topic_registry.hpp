#pragma once

// Topic <-> subscriber index. Each subscriber id sits on exactly one topic; a
// topic disappears with its last subscriber (as Redis's pubsub.c frees empty
// channels). Subscribe, unsubscribe and lookup are O(1) on average; fan-out
// iterates a contiguous vector.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rt::pubsub {

/// Identifies one subscription (one socket's join of one topic).
using subscriber_id = std::uint64_t;

/// Transparent hash so lookups by string_view do not allocate.
struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

/// `Entry` is the per-subscriber data fan-out needs; it must have a public
/// `subscriber_id id` member. Not thread-safe: one owner mutates and reads it.
template <class Entry>
class topic_registry {
public:
  using subscriber_list = std::vector<Entry>;

  /// Adds `entry` to `topic`. Returns false (and changes nothing) when
  /// `entry.id` is already subscribed anywhere.
  bool subscribe(std::string_view topic, Entry entry) {
    if (where_.count(entry.id) != 0)
      return false;
    auto it = topics_.find(topic);
    if (it == topics_.end())
      it = topics_.emplace(std::string{topic}, subscriber_list{}).first;
    auto& list = it->second;
    where_.emplace(entry.id, position{&it->first, list.size()});
    list.push_back(std::move(entry));
    return true;
  }

  /// Removes subscriber `id`. Returns false when it was not subscribed.
  bool unsubscribe(subscriber_id id) {
    auto pos_it = where_.find(id);
    if (pos_it == where_.end())
      return false;
    auto topic_it = topics_.find(*pos_it->second.topic);
    auto& list = topic_it->second;
    auto index = pos_it->second.index;
    if (index + 1 != list.size()) {
      list[index] = std::move(list.back());
      where_[list[index].id].index = index;
    }
    list.pop_back();
    where_.erase(pos_it);
    if (list.empty())
      topics_.erase(topic_it);
    return true;
  }

  /// Subscribers of `topic`, or nullptr when it has none. The pointer stays
  /// valid until the next subscribe or unsubscribe.
  const subscriber_list* find(std::string_view topic) const {
    auto it = topics_.find(topic);
    return it == topics_.end() ? nullptr : &it->second;
  }

  /// The topic `id` is subscribed to, or an empty view.
  std::string_view topic_of(subscriber_id id) const {
    auto it = where_.find(id);
    return it == where_.end() ? std::string_view{} : std::string_view{*it->second.topic};
  }

  /// Subscriber `id`'s entry, or nullptr. The pointer stays valid until the
  /// next subscribe or unsubscribe.
  Entry* entry(subscriber_id id) {
    auto it = where_.find(id);
    if (it == where_.end())
      return nullptr;
    return &topics_.find(*it->second.topic)->second[it->second.index];
  }

  std::size_t topic_count() const noexcept { return topics_.size(); }
  std::size_t subscriber_count() const noexcept { return where_.size(); }

private:
  struct position {
    const std::string* topic; // key in topics_; node-based map keeps it stable
    std::size_t index;
  };
  std::unordered_map<std::string, subscriber_list, string_hash, std::equal_to<>> topics_;
  std::unordered_map<subscriber_id, position> where_;
};

} // namespace rt::pubsub
