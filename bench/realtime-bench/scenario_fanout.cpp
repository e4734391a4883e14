#include <algorithm>

#include "scenarios.hpp"

namespace bench {

namespace {

constexpr double joined_settle_seconds = 1.0;
constexpr double publisher_settle_seconds = 0.2;

// Topic of the single-topic scenarios: --topic on realtime, "bench" otherwise
// (the peers serve one fixed channel and ignore it).
std::string fanout_topic(const bench_options& o) {
  return o.target == target_kind::realtime ? o.topic : std::string{"bench"};
}

// Connects the subscribers, waits, and records RSS per joined connection.
bool connect_subscribers(session& s, std::uint32_t count) {
  auto& r = s.result();
  r.server_rss_idle_kib = s.probe().rss_kib();
  auto start = now_us();
  r.connections_ready = s.connect(0, count, s.options().max_seconds);
  r.connect_seconds = seconds_between(start, now_us());
  if (r.connections_ready == 0) {
    s.fail("no subscriber became ready");
    return false;
  }
  s.wait(joined_settle_seconds);
  r.server_rss_joined_kib = s.probe().rss_kib();
  r.rss_per_conn_kib = static_cast<double>(r.server_rss_joined_kib - r.server_rss_idle_kib) /
                       static_cast<double>(r.connections_ready);
  return true;
}

std::uint64_t ready_subscribers(session& s) {
  std::uint64_t n = 0;
  for (const auto& c : s.loop().connections())
    n += c.role == conn_role::subscriber && c.state == conn_state::ready && !c.stalled;
  return n;
}

// Stalls every k-th ready subscriber so that `fraction` of them stop reading,
// spread evenly over the I/O threads the server assigned them to.
std::uint64_t stall_subscribers(session& s, std::uint32_t subs, double fraction) {
  if (fraction <= 0)
    return 0;
  auto every = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(1.0 / fraction + 0.5));
  std::uint64_t stalled = 0;
  auto& conns = s.loop().connections();
  for (std::uint32_t i = every / 2; i < subs; i += every) {
    if (conns[i].state != conn_state::ready)
      continue;
    s.loop().stall(conns[i]);
    ++stalled;
  }
  return stalled;
}

} // namespace

void run_fanout(session& s) {
  const auto& o = s.options();
  auto& loop = s.loop();
  auto& r = s.result();
  r.mode = o.msgs > 0 ? "max" : "paced";
  auto topic = loop.add_topic(fanout_topic(o));
  auto subs = static_cast<std::uint32_t>(o.subscribers);
  auto pubs = static_cast<std::uint32_t>(o.publishers);
  loop.connections().reserve(subs + pubs);
  // With several --port values subscriber i connects to port i mod n (the
  // nodes of a cluster, say); the publishers always use the first.
  for (std::uint32_t i = 0; i < subs; ++i)
    loop.add(conn_role::subscriber, topic, i);
  for (std::uint32_t i = 0; i < pubs; ++i)
    loop.add(conn_role::publisher, topic, 0);
  r.connections_planned = subs + pubs;
  if (!connect_subscribers(s, subs))
    return;
  r.publishers_ready = s.connect(subs, pubs, o.max_seconds);
  if (r.publishers_ready == 0) {
    if (!s.expired())
      s.fail("no publisher became ready");
    return;
  }
  s.wait(publisher_settle_seconds);
  r.stalled = stall_subscribers(s, subs, o.slow_fraction);
  publish_plan plan;
  auto fan = ready_subscribers(s);
  for (std::uint32_t i = subs; i < subs + pubs; ++i) {
    if (loop.connections()[i].state != conn_state::ready)
      continue;
    plan.publishers.push_back(i);
    plan.receivers.push_back(fan);
  }
  r.connections_ready += r.publishers_ready;
  if (o.msgs > 0)
    publish_windowed(s, plan, static_cast<std::uint64_t>(o.msgs), o.window);
  else
    publish_paced(s, plan, o.rate, o.duration);
  summarize_receivers(s);
}

} // namespace bench
