#include "scenarios.hpp"

namespace bench {

void run_idle(session& s) {
  const auto& o = s.options();
  auto& loop = s.loop();
  auto& r = s.result();
  auto n = static_cast<std::uint32_t>(o.connections);
  auto topic =
    loop.add_topic(o.target == target_kind::realtime ? std::string{"realtime:idle"} : "bench");
  loop.connections().reserve(n);
  for (std::uint32_t i = 0; i < n; ++i)
    loop.add(conn_role::subscriber, topic);
  r.connections_planned = n;
  r.server_rss_idle_kib = s.probe().rss_kib();
  auto start = now_us();
  r.connections_ready = s.connect(0, n, o.max_seconds);
  r.connect_seconds = seconds_between(start, now_us());
  if (r.connections_ready == 0) {
    if (!s.expired())
      s.fail("no connection became ready");
    return;
  }
  // The settle window is the measured phase: the server's CPU while idle.
  s.begin_measure();
  s.wait(o.settle);
  s.end_measure(now_us(), 0);
  r.server_rss_joined_kib = s.probe().rss_kib();
  r.rss_per_conn_kib = static_cast<double>(r.server_rss_joined_kib - r.server_rss_idle_kib) /
                       static_cast<double>(r.connections_ready);
}

} // namespace bench
