#include <string>

#include "scenarios.hpp"

namespace bench {

namespace {

// Phase 2: every ready socket joins `more` further channels at once. Returns
// the joins answered ok per second (from the first join sent to the last
// answer), or 0 when none was; counts them in the result's extra_joins.
double storm_more_joins(session& s, int more, double cap_seconds) {
  auto& loop = s.loop();
  std::uint64_t planned = 0;
  auto base = loop.counters().extra_joins;
  auto start = now_us();
  for (auto& c : loop.connections())
    if (c.state == conn_state::ready && loop.proto().join_more(c, loop, more))
      planned += static_cast<std::uint64_t>(more);
  auto deadline = start + static_cast<std::int64_t>(cap_seconds * 1e6);
  while (!s.expired() && loop.counters().extra_joins - base < planned && now_us() < deadline)
    s.step(1);
  auto done = loop.counters().extra_joins - base;
  s.result().extra_joins = done;
  if (done < planned && !s.expired())
    s.result().failure = "--duration-cap reached before every extra join was answered";
  if (done == 0)
    return 0;
  return static_cast<double>(done) / seconds_between(start, loop.counters().last_extra_join_us);
}

} // namespace

// Phase 1 opens `--connections` sockets as fast as the server takes them,
// each joining one channel: connects/s and joins/s of new sockets. With
// `--joins-per-socket K` > 1, phase 2 then has every socket join K - 1 more
// channels at once: joins/s on open sockets, which replaces the joins/s figure.
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
  r.connect_seconds = seconds_between(start, end);
  if (counters.opened > 0)
    r.connects_per_s = static_cast<double>(counters.opened) /
                       seconds_between(start, counters.last_open_us);
  if (counters.ready > 0)
    r.joins_per_s = static_cast<double>(counters.ready) /
                    seconds_between(start, counters.last_ready_us);
  if (r.connections_ready < n && !s.expired() && r.status == run_status::completed &&
      r.connect_seconds >= o.duration_cap)
    r.failure = "--duration-cap reached before every socket joined";
  if (o.joins_per_socket > 1 && r.connections_ready > 0)
    r.joins_per_s = storm_more_joins(s, o.joins_per_socket - 1, o.duration_cap);
  s.end_measure(now_us(), 0);
  r.server_rss_joined_kib = s.probe().rss_kib();
  if (r.connections_ready > 0)
    r.rss_per_conn_kib = static_cast<double>(r.server_rss_joined_kib - r.server_rss_idle_kib) /
                         static_cast<double>(r.connections_ready);
}

} // namespace bench
