#include "rt/actors/visibility_gate.hpp"

#include <algorithm>

namespace rt::actors {

visibility_gate::visibility_gate(limits l, commit_fn committed)
  : limits_(l), committed_(std::move(committed)) {}

void visibility_gate::push(std::uint64_t subscriber, held h) {
  // Every transaction from the first one with a held frame on waits in
  // order; one without held frames merges into a waiting one before it.
  if (transactions_.empty() || transactions_.back().end)
    transactions_.push_back({next_transaction_++, 0, std::nullopt});
  ++transactions_.back().held;
  h.transaction = transactions_.back().serial;
  held_bytes_ += h.frame ? h.frame->size() : 0;
  queues_[subscriber].push_back(std::move(h));
}

void visibility_gate::hold(std::uint64_t subscriber, protocol::shared_frame frame) {
  push(subscriber, held{std::move(frame)});
}

visibility_gate::check& visibility_gate::building(const std::string& viewer,
                                                  const db::client_identity& who,
                                                  std::uint32_t relid,
                                                  const replication::row_key& key) {
  auto& id = building_[{viewer, relid}];
  auto found = checks_.find(id);
  if (found != checks_.end() && found->second.q.rows.rows.size() < limits_.max_rows_per_check)
    return found->second;
  if (found != checks_.end())
    begun_.push_back(id); // full: asked as it is
  id = next_check_++;
  auto& c = checks_[id];
  c.q = query{id, who, db::key_batch{relid, key.columns, {}}};
  return c;
}

void visibility_gate::hold_checked(std::uint64_t subscriber, const std::string& viewer,
                                   const db::client_identity& who, std::uint32_t relid,
                                   const replication::row_key& key, protocol::shared_frame frame) {
  auto& c = building(viewer, who, relid, key);
  auto& rows = c.q.rows.rows;
  // Subscribers with the same identity share the row of the same change.
  if (rows.empty() || c.last_change != change_) {
    rows.push_back(key.values);
    c.last_change = change_;
  }
  if (std::find(c.waiters.begin(), c.waiters.end(), subscriber) == c.waiters.end())
    c.waiters.push_back(subscriber);
  ++c.refs;
  push(subscriber, held{std::move(frame), c.q.id, rows.size() - 1});
}

void visibility_gate::committed(replication::lsn end) {
  if (transactions_.empty()) {
    committed_(end);
    return;
  }
  auto& last = transactions_.back();
  if (!last.end || last.held == 0)
    last.end = end; // its own end, or a later one merged into a waiting end
  else
    transactions_.push_back({next_transaction_++, 0, end});
  release_commits();
}

std::vector<std::uint64_t> visibility_gate::take_queries() {
  for (const auto& [key, id] : building_)
    if (checks_.contains(id))
      begun_.push_back(id);
  building_.clear();
  std::vector<std::uint64_t> out;
  for (auto id : begun_)
    if (checks_.contains(id) && asked_.insert(id).second)
      out.push_back(id);
  begun_.clear();
  return out;
}

std::optional<visibility_gate::query> visibility_gate::query_of(std::uint64_t id) const {
  auto it = checks_.find(id);
  if (it == checks_.end())
    return std::nullopt;
  return it->second.q;
}

void visibility_gate::answer(std::uint64_t id, const std::optional<std::vector<bool>>& visible,
                             const std::string& why, const send_fn& send, const drop_fn& drop) {
  asked_.erase(id);
  auto it = checks_.find(id);
  if (it == checks_.end())
    return;
  auto& c = it->second;
  c.answered = true;
  c.visible = visible;
  c.why = why;
  // Pumping may erase the check: keep the waiters.
  auto waiters = std::move(c.waiters);
  for (auto subscriber : waiters)
    pump(subscriber, send, drop);
  release_commits();
}

void visibility_gate::pump(std::uint64_t subscriber, const send_fn& send, const drop_fn& drop) {
  auto q = queues_.find(subscriber);
  if (q == queues_.end())
    return;
  bool told = false;
  auto& frames = q->second;
  while (!frames.empty()) {
    auto& h = frames.front();
    bool deliver = true;
    if (h.check != 0) {
      auto c = checks_.find(h.check);
      if (c != checks_.end() && !c->second.answered)
        break;
      if (c == checks_.end() || !c->second.visible) {
        deliver = false;
        if (!told && c != checks_.end())
          drop(subscriber, c->second.why);
        told = true;
      } else {
        deliver = h.row < c->second.visible->size() && (*c->second.visible)[h.row];
      }
    }
    if (deliver)
      send(subscriber, h.frame);
    release(h);
    frames.pop_front();
  }
  if (frames.empty())
    queues_.erase(q);
}

void visibility_gate::release(const held& h) {
  held_bytes_ -= h.frame ? h.frame->size() : 0;
  if (!transactions_.empty() && h.transaction >= transactions_.front().serial)
    --transactions_[h.transaction - transactions_.front().serial].held;
  if (h.check != 0)
    unref(h.check);
}

void visibility_gate::unref(std::uint64_t check_id) {
  auto c = checks_.find(check_id);
  if (c != checks_.end() && --c->second.refs == 0)
    checks_.erase(c);
}

void visibility_gate::release_commits() {
  while (!transactions_.empty() && transactions_.front().held == 0 && transactions_.front().end) {
    auto end = *transactions_.front().end;
    transactions_.pop_front();
    committed_(end);
  }
}

void visibility_gate::forget(std::uint64_t subscriber) {
  auto q = queues_.find(subscriber);
  if (q == queues_.end())
    return;
  auto frames = std::move(q->second);
  queues_.erase(q);
  for (const auto& h : frames)
    release(h);
  release_commits();
}

void visibility_gate::clear() {
  queues_.clear();
  checks_.clear();
  building_.clear();
  begun_.clear();
  asked_.clear();
  transactions_.clear();
  held_bytes_ = 0;
}

} // namespace rt::actors
