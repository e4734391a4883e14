#pragma once

// A first-in first-out sequence that owns no memory until first used.
//
// std::deque allocates its map and a first block on construction (over 500
// bytes in libstdc++), which every idle connection would pay. This keeps the
// elements in one vector read from a moving head; the consumed prefix is
// compacted away once it is at least half of the vector. A drained queue
// keeps a small storage (so a steady trickle of messages allocates nothing)
// and gives back a large one (so a past backlog does not stay resident).

#include <cstddef>
#include <utility>
#include <vector>

namespace rt::pubsub {

template <class T>
class fifo {
public:
  bool empty() const noexcept { return head_ == items_.size(); }
  std::size_t size() const noexcept { return items_.size() - head_; }
  /// Elements the current storage holds without reallocating.
  std::size_t capacity() const noexcept { return items_.capacity(); }

  /// The oldest element; the queue must not be empty.
  T& front() noexcept { return items_[head_]; }

  void push_back(T item) {
    if (head_ > 0 && head_ * 2 >= items_.size())
      compact();
    items_.push_back(std::move(item));
  }

  /// Storage a drained queue keeps, in elements.
  static constexpr std::size_t kept_capacity = 64;

  /// Removes the oldest element; the queue must not be empty.
  void pop_front() {
    items_[head_] = T{};
    if (++head_ < items_.size())
      return;
    if (items_.capacity() > kept_capacity)
      return clear();
    items_.clear();
    head_ = 0;
  }

  /// Drops every element and releases the storage.
  void clear() noexcept {
    std::vector<T>{}.swap(items_);
    head_ = 0;
  }

private:
  void compact() {
    items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }

  std::vector<T> items_;
  std::size_t head_ = 0;
};

} // namespace rt::pubsub
