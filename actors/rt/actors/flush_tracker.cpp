#include "rt/actors/flush_tracker.hpp"

namespace rt::actors {

void flush_tracker::wrote(const std::shared_ptr<connection_sink>& sink, std::uint64_t mark) {
  auto& entry = open_[sink.get()];
  if (!entry.first)
    entry.first = sink;
  entry.second = std::max(entry.second, mark);
}

void flush_tracker::merge(marks& into, marks&& from) {
  for (auto& [key, entry] : from) {
    auto& target = into[key];
    if (!target.first)
      target.first = std::move(entry.first);
    target.second = std::max(target.second, entry.second);
  }
}

void flush_tracker::committed(replication::lsn end) {
  if (open_.empty() && commits_.empty()) {
    ready_ = end;
    return;
  }
  if (commits_.size() >= max_commits) {
    auto& last = commits_.back();
    last.end = end;
    merge(last.unflushed, std::exchange(open_, {}));
    return;
  }
  commits_.push_back({end, std::exchange(open_, {})});
}

std::optional<replication::lsn> flush_tracker::advance() {
  auto confirmable = std::exchange(ready_, std::nullopt);
  while (!commits_.empty()) {
    auto& front = commits_.front();
    std::erase_if(front.unflushed,
                  [](const auto& kv) { return kv.second.first->flushed_through(kv.second.second); });
    if (!front.unflushed.empty())
      break;
    confirmable = front.end;
    commits_.pop_front();
  }
  return confirmable;
}

} // namespace rt::actors
