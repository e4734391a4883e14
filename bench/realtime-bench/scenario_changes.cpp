// Postgres Changes: N subscribers join one topic with a postgres_changes
// binding (--schema/--table/--event/--filter), wait until the server says
// "Subscribed to PostgreSQL", then count postgres_changes pushes until each
// subscriber got --expect rows, or none came for --idle-seconds (once one
// came) or for --first-seconds (none at all), or --max-seconds passes.
//
// The rows are written by someone else (bench/cdc.sh runs pgbench); the
// generator only receives. --ready-file tells the writer when to start.
// Latency is commit-to-client as far as the client can see it: CLOCK_REALTIME
// at receipt minus the row's own timestamp column (--ts-column, filled by
// clock_timestamp() in the INSERT), on the same machine's clock. Drops and
// duplicates are counted by the integer --id-column of each record.

#include <algorithm>
#include <fstream>
#include <iostream>

#include "iso_time.hpp"
#include "scenarios.hpp"

namespace bench {

namespace {

constexpr int poll_ms = 5;

// Waits until every ready subscriber is live, or the timeout.
void wait_live(session& s, std::int64_t ready, std::int64_t deadline_us) {
  while (static_cast<std::int64_t>(s.loop().changes().live) < ready && now_us() < deadline_us &&
         !s.expired())
    s.step(poll_ms);
}

bool write_ready_file(const std::string& path) {
  if (path.empty())
    return true;
  std::ofstream out{path, std::ios::trunc};
  out << "live\n";
  return static_cast<bool>(out);
}

// Receives until the expected count, idleness or the deadline; returns why it stopped.
std::string receive(session& s, std::uint64_t expected_total, std::int64_t live_us) {
  const auto& o = s.options();
  const auto& ch = s.loop().changes();
  auto idle_us = static_cast<std::int64_t>(o.idle_seconds * 1e6);
  auto first_us = static_cast<std::int64_t>(o.first_seconds * 1e6);
  for (;;) {
    if (s.expired())
      return "max_seconds";
    s.step(poll_ms);
    auto now = now_us();
    if (expected_total > 0 && ch.frames >= expected_total)
      return "expected";
    if (ch.frames > 0 && now - ch.last_us > idle_us)
      return "idle";
    if (ch.frames == 0 && now - live_us > first_us)
      return "no_changes";
  }
}

// Distinct ids, duplicates and the id range over every subscriber.
void count_ids(session& s) {
  auto& r = s.result();
  bool first = true;
  for (auto& ids : s.loop().change_ids()) {
    if (ids.empty())
      continue;
    std::sort(ids.begin(), ids.end());
    auto unique = static_cast<std::uint64_t>(std::unique(ids.begin(), ids.end()) - ids.begin());
    r.unique_rows += unique;
    r.duplicates += ids.size() - unique;
    r.id_min = first ? ids.front() : std::min(r.id_min, ids.front());
    r.id_max = first ? ids[unique - 1] : std::max(r.id_max, ids[unique - 1]);
    first = false;
  }
}

} // namespace

void run_changes(session& s) {
  const auto& o = s.options();
  auto& loop = s.loop();
  auto& r = s.result();
  r.mode = o.expect > 0 ? "expect" : "until_idle";
  auto topic = loop.add_topic(o.topic);
  auto n = static_cast<std::uint32_t>(o.subscribers);
  loop.connections().reserve(n);
  for (std::uint32_t i = 0; i < n; ++i)
    loop.add(conn_role::subscriber, topic);
  r.connections_planned = n;
  r.server_rss_idle_kib = s.probe().rss_kib();
  // Measured from the first join on: the server starts its WAL reader with
  // the first subscription, so a backlog's drain time includes that start,
  // as pg_recvlogical's includes its own.
  s.begin_measure();
  auto join_us = now_us();
  auto real_offset = realtime_us() - join_us; // monotonic -> CLOCK_REALTIME
  r.connections_ready = s.connect(0, n, o.live_timeout);
  r.connect_seconds = seconds_between(join_us, now_us());
  if (r.connections_ready == 0) {
    if (!s.expired())
      s.fail("no subscriber became ready");
    return;
  }
  wait_live(s, r.connections_ready, join_us + static_cast<std::int64_t>(o.live_timeout * 1e6));
  const auto& ch = loop.changes();
  r.live_subscribers = ch.live;
  if (ch.live == 0) {
    if (!s.expired())
      s.fail("no subscriber was told \"Subscribed to PostgreSQL\" within --live-timeout");
    return;
  }
  auto live_us = ch.last_live_us;
  r.live_seconds = seconds_between(join_us, live_us);
  r.server_rss_joined_kib = s.probe().rss_kib();
  if (!write_ready_file(o.ready_file))
    std::cerr << "realtime-bench: cannot write --ready-file " << o.ready_file << '\n';
  std::cerr << "realtime-bench: " << ch.live << " subscriber(s) live\n";
  auto expected_total = static_cast<std::uint64_t>(o.expect) * ch.live;
  r.stop_reason = receive(s, expected_total, live_us);
  auto last = ch.frames > 0 ? ch.last_us : now_us();
  s.end_measure(last, ch.frames);
  count_ids(s);
  r.expected = expected_total;
  r.received = ch.frames;
  r.without_id = ch.without_id;
  r.without_ts = ch.without_ts;
  r.drops = expected_total > r.unique_rows ? expected_total - r.unique_rows : 0;
  r.extra = r.duplicates;
  if (ch.frames > 0) {
    r.first_to_last_s = seconds_between(ch.first_us, ch.last_us);
    r.live_to_last_s = seconds_between(live_us, ch.last_us);
    r.join_to_last_s = seconds_between(join_us, ch.last_us);
    auto frames = static_cast<double>(ch.frames);
    r.rows_per_s_first_last = r.first_to_last_s > 0 ? frames / r.first_to_last_s : 0;
    r.rows_per_s_from_live = r.live_to_last_s > 0 ? frames / r.live_to_last_s : 0;
    r.rows_per_s_from_join = r.join_to_last_s > 0 ? frames / r.join_to_last_s : 0;
    r.first_unix_us = ch.first_us + real_offset;
    r.last_unix_us = ch.last_us + real_offset;
  }
  r.live_unix_us = live_us + real_offset;
  r.deliveries_per_s = r.rows_per_s_first_last;
  summarize_receivers(s);
}

} // namespace bench
