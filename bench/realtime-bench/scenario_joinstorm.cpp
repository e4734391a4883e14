#include <string>

#include "scenarios.hpp"

namespace bench {

void run_joinstorm(session& s) {
  const auto& o = s.options();
  auto& loop = s.loop();
  auto& r = s.result();
  auto n = static_cast<std::uint32_t>(o.connections);
  loop.connections().reserve(n);
  for (std::uint32_t i = 0; i < n; ++i)
    loop.add(conn_role::subscriber, loop.add_topic("realtime:storm-" + std::to_string(i)));
  r.connections_planned = n;
  r.server_rss_idle_kib = s.probe().rss_kib();
  s.begin_measure();
  auto start = now_us();
  r.connections_ready = s.connect(0, n, o.duration_cap);
  auto end = now_us();
  const auto& counters = loop.counters();
  s.end_measure(end, 0);
  r.connect_seconds = seconds_between(start, end);
  if (counters.opened > 0)
    r.connects_per_s = static_cast<double>(counters.opened) /
                       seconds_between(start, counters.last_open_us);
  if (counters.ready > 0)
    r.joins_per_s = static_cast<double>(counters.ready) * o.joins_per_socket /
                    seconds_between(start, counters.last_ready_us);
  r.server_rss_joined_kib = s.probe().rss_kib();
  if (r.connections_ready > 0)
    r.rss_per_conn_kib = static_cast<double>(r.server_rss_joined_kib - r.server_rss_idle_kib) /
                         static_cast<double>(r.connections_ready);
  if (r.connections_ready < n && !s.expired() && r.status == run_status::completed &&
      r.connect_seconds >= o.duration_cap)
    r.failure = "--duration-cap reached before every socket joined";
}

} // namespace bench
