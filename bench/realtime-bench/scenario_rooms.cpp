#include <string>

#include "scenarios.hpp"

namespace bench {

namespace {

// Member 0 of each room publishes; the other members only receive (self=false
// keeps the publisher's own messages from it).
void add_rooms(session& s) {
  const auto& o = s.options();
  auto& loop = s.loop();
  loop.connections().reserve(static_cast<std::size_t>(o.rooms) * o.room_size);
  for (int room = 0; room < o.rooms; ++room) {
    auto topic = loop.add_topic("realtime:room-" + std::to_string(room));
    loop.add(conn_role::publisher, topic);
    for (int member = 1; member < o.room_size; ++member)
      loop.add(conn_role::subscriber, topic);
  }
}

publish_plan make_plan(session& s) {
  const auto& o = s.options();
  const auto& conns = s.loop().connections();
  publish_plan plan;
  auto size = static_cast<std::size_t>(o.room_size);
  for (std::size_t first = 0; first < conns.size(); first += size) {
    if (conns[first].state != conn_state::ready)
      continue;
    std::uint64_t receivers = 0;
    for (std::size_t i = first + 1; i < first + size; ++i)
      receivers += conns[i].state == conn_state::ready;
    plan.publishers.push_back(static_cast<std::uint32_t>(first));
    plan.receivers.push_back(receivers);
  }
  return plan;
}

} // namespace

void run_rooms(session& s) {
  const auto& o = s.options();
  auto& r = s.result();
  r.mode = "paced";
  add_rooms(s);
  auto total = static_cast<std::uint32_t>(s.loop().connections().size());
  r.connections_planned = total;
  r.server_rss_idle_kib = s.probe().rss_kib();
  auto start = now_us();
  r.connections_ready = s.connect(0, total, o.max_seconds);
  r.connect_seconds = seconds_between(start, now_us());
  s.wait(1.0);
  r.server_rss_joined_kib = s.probe().rss_kib();
  if (r.connections_ready > 0)
    r.rss_per_conn_kib = static_cast<double>(r.server_rss_joined_kib - r.server_rss_idle_kib) /
                         static_cast<double>(r.connections_ready);
  auto plan = make_plan(s);
  r.publishers_ready = static_cast<std::int64_t>(plan.publishers.size());
  if (plan.publishers.empty()) {
    if (!s.expired())
      s.fail("no room publisher became ready");
    return;
  }
  publish_paced(s, plan, o.rate * static_cast<double>(plan.publishers.size()), o.duration);
  summarize_receivers(s);
}

} // namespace bench
