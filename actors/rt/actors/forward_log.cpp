#include "rt/actors/forward_log.hpp"

#include <algorithm>

namespace rt::actors {

namespace {

// A node away past its grace is remembered this long more, so that if it
// returns it learns it missed changes (a restarted node is a new one).
constexpr std::chrono::minutes remembered_after_grace{20};

} // namespace

void forward_log::record(progress& p, const entry& e) const {
  if (e.committed) {
    p.last_commit_sent = *e.committed;
    if (p.incomplete && !p.incomplete_until)
      p.incomplete_until = *e.committed;
  }
  p.unacknowledged.push_back(e);
  p.bytes += e.bytes;
  if (p.bytes > max_bytes_) {
    // Too much to keep (a lagging node, a huge transaction): what is dropped
    // cannot be sent again until a later transaction end is acknowledged.
    p.unacknowledged.clear();
    p.bytes = 0;
    p.incomplete = true;
    p.incomplete_until = std::nullopt;
  }
}

forward_log::rejoin forward_log::add(const caf::actor& peer, clock_type::time_point now) {
  rejoin r;
  if (!peer || connected_.count(key_of(peer)) != 0)
    return r;
  progress p;
  if (auto it = away_.find(key_of(peer)); it != away_.end()) {
    if (it->second.overflowed || now > it->second.away_until) {
      r.gap = true;
    } else {
      p = std::move(it->second);
      for (const auto& e : p.unacknowledged)
        r.resend.push_back(e.msg);
      p.unhandled.clear();
      p.unhandled_bytes = 0;
      for (const auto& e : p.unacknowledged) {
        p.unhandled.emplace_back(e.seq, e.bytes);
        p.unhandled_bytes += e.bytes;
      }
    }
    away_.erase(it);
  }
  connected_.emplace(key_of(peer), std::move(p));
  peers_.push_back(peer);
  return r;
}

void forward_log::remove(const caf::actor& peer, clock_type::time_point now) {
  auto it = connected_.find(key_of(peer));
  if (it == connected_.end())
    return;
  auto p = std::move(it->second);
  connected_.erase(it);
  std::erase(peers_, peer);
  p.away_until = now + grace_;
  p.overflowed = p.incomplete;
  if (p.overflowed)
    p.unacknowledged.clear();
  away_[key_of(peer)] = std::move(p);
}

void forward_log::sent(const caf::message& msg, std::size_t bytes,
                       std::optional<replication::lsn> committed) {
  entry e{msg, bytes, committed, next_seq_++};
  for (auto& [k, p] : connected_) {
    record(p, e);
    p.unhandled.emplace_back(e.seq, e.bytes);
    p.unhandled_bytes += e.bytes;
  }
  for (auto& [k, p] : away_) {
    if (p.overflowed)
      continue;
    record(p, e);
    p.overflowed = p.incomplete;
    if (p.overflowed)
      p.unacknowledged.clear();
  }
}

void forward_log::acknowledged(const caf::actor& peer, replication::lsn position,
                               std::uint64_t handled_seq) {
  auto it = connected_.find(key_of(peer));
  if (it == connected_.end())
    return;
  auto& p = it->second;
  while (!p.unhandled.empty() && p.unhandled.front().first <= handled_seq) {
    p.unhandled_bytes -= p.unhandled.front().second;
    p.unhandled.pop_front();
  }
  p.acked = std::max(p.acked, position);
  if (p.incomplete && p.incomplete_until && p.acked >= *p.incomplete_until)
    p.incomplete = false;
  // Everything up to the last transaction end it acknowledged goes.
  auto last = std::find_if(p.unacknowledged.rbegin(), p.unacknowledged.rend(), [&p](const entry& e) {
    return e.committed && *e.committed <= p.acked;
  });
  if (last == p.unacknowledged.rend())
    return;
  auto end = last.base();
  for (auto e = p.unacknowledged.begin(); e != end; ++e)
    p.bytes -= e->bytes;
  p.unacknowledged.erase(p.unacknowledged.begin(), end);
}

replication::lsn forward_log::confirmable(replication::lsn local) const {
  auto position = local;
  for (const auto& [k, p] : connected_)
    if (p.acked < p.last_commit_sent)
      position = std::min(position, p.acked);
  return position;
}

bool forward_log::behind() const {
  return std::any_of(connected_.begin(), connected_.end(),
                     [this](const auto& c) { return c.second.unhandled_bytes > max_bytes_; });
}

void forward_log::restart() {
  for (auto& [k, p] : connected_)
    p = progress{};
  // A node away keeps being waited for: what the new session forwards is
  // kept for it (it tells from the session's start whether it missed more).
  for (auto& [k, p] : away_) {
    progress fresh;
    fresh.away_until = p.away_until;
    fresh.overflowed = p.overflowed;
    p = std::move(fresh);
  }
}

bool forward_log::has_receivers() const {
  return !connected_.empty()
         || std::any_of(away_.begin(), away_.end(), [](const auto& a) { return !a.second.overflowed; });
}

void forward_log::expire(clock_type::time_point now) {
  std::erase_if(away_, [now](const auto& a) { return now > a.second.away_until + remembered_after_grace; });
  for (auto& [k, p] : away_) {
    if (now > p.away_until && !p.overflowed) {
      p.overflowed = true;
      p.unacknowledged.clear();
      p.bytes = 0;
    }
  }
}

} // namespace rt::actors
