#include <algorithm>
#include <cmath>
#include <numeric>

#include "scenarios.hpp"

namespace bench {

namespace {

constexpr std::int64_t drain_limit_us = 25'000'000; // max mode: no progress for this long
constexpr std::int64_t paced_drain_us = 5'000'000;

// Tracks deliveries and when they last moved.
struct progress {
  std::uint64_t base = 0;
  std::uint64_t got = 0;
  std::int64_t last_change_us = 0;

  void update(std::uint64_t total, std::int64_t now) {
    if (total - base != got) {
      got = total - base;
      last_change_us = now;
    }
  }
};

std::uint64_t total_receivers(const publish_plan& plan) {
  return std::accumulate(plan.receivers.begin(), plan.receivers.end(), std::uint64_t{0});
}

// Publishes on the plan's publisher `slot`; false when it refused.
bool publish_one(session& s, const publish_plan& plan, std::size_t slot, std::uint64_t seq) {
  auto& c = s.loop().connections()[plan.publishers[slot]];
  return s.loop().publish(c, seq, false);
}

void flush_publishers(session& s, const publish_plan& plan) {
  for (auto index : plan.publishers) {
    auto& c = s.loop().connections()[index];
    if (!c.out.empty() && c.state != conn_state::closed)
      s.loop().flush(c);
  }
}

bool any_publisher_alive(session& s, const publish_plan& plan) {
  return std::any_of(plan.publishers.begin(), plan.publishers.end(), [&](auto index) {
    return s.loop().connections()[index].state == conn_state::ready;
  });
}

void settle_figures(session& s, const progress& p, std::uint64_t published,
                    std::uint64_t expected, double publish_seconds) {
  auto& r = s.result();
  r.published = published;
  r.expected = expected;
  r.received = p.got;
  r.drops = expected > p.got ? expected - p.got : 0;
  r.extra = p.got > expected ? p.got - expected : 0;
  r.deliveries_per_s = r.elapsed_s > 0 ? static_cast<double>(p.got) / r.elapsed_s : 0;
  r.offered_publish_rate = publish_seconds > 0 ? static_cast<double>(published) / publish_seconds : 0;
}

} // namespace

void publish_windowed(session& s, const publish_plan& plan, std::uint64_t msgs, double window) {
  auto& loop = s.loop();
  auto fan = total_receivers(plan) / std::max<std::size_t>(plan.publishers.size(), 1);
  auto allowed = static_cast<std::uint64_t>(std::ceil(window * static_cast<double>(fan)));
  progress p{loop.counters().received, 0, now_us()};
  std::uint64_t seq = 0;
  std::uint64_t expected = 0;
  s.begin_measure();
  auto start = now_us();
  std::int64_t publish_end = 0;
  while (!s.expired()) {
    while (seq < msgs && expected - std::min(expected, p.got) <= allowed) {
      auto slot = seq % plan.publishers.size();
      if (!publish_one(s, plan, slot, seq)) {
        ++s.result().publish_refused;
        break;
      }
      expected += plan.receivers[slot];
      ++seq;
    }
    flush_publishers(s, plan);
    if (seq >= msgs && publish_end == 0)
      publish_end = now_us();
    if (seq >= msgs && p.got >= expected)
      break;
    auto now = now_us();
    if (now - p.last_change_us > drain_limit_us || !any_publisher_alive(s, plan))
      break;
    s.step(1);
    p.update(loop.counters().received, now_us());
  }
  s.end_measure(p.last_change_us, p.got);
  settle_figures(s, p, seq, expected, seconds_between(start, publish_end ? publish_end : now_us()));
}

void publish_paced(session& s, const publish_plan& plan, double rate, double seconds) {
  auto& loop = s.loop();
  progress p{loop.counters().received, 0, now_us()};
  std::uint64_t sent = 0;
  std::uint64_t expected = 0;
  s.begin_measure();
  auto span = pace(
    s, rate, seconds,
    [&](std::uint64_t attempt) {
      auto slot = attempt % plan.publishers.size();
      if (!publish_one(s, plan, slot, attempt)) {
        ++s.result().publish_refused;
        return;
      }
      expected += plan.receivers[slot];
      ++sent;
    },
    [&] {
      flush_publishers(s, plan);
      p.update(loop.counters().received, now_us());
    });
  while (!s.expired() && p.got < expected && now_us() - span.end < paced_drain_us) {
    s.step(1);
    p.update(loop.counters().received, now_us());
  }
  s.end_measure(std::max(p.last_change_us, span.end), p.got);
  settle_figures(s, p, sent, expected, seconds_between(span.start, span.end));
}

void summarize_receivers(session& s) {
  auto& r = s.result();
  auto ports = s.options().ports.size();
  if (ports > 1)
    r.received_per_port.assign(ports, 0);
  bool first = true;
  for (const auto& c : s.loop().connections()) {
    if (c.role != conn_role::subscriber || !c.was_ready || c.stalled)
      continue;
    if (ports > 1)
      r.received_per_port[c.server] += c.received;
    r.min_per_receiver = first ? c.received : std::min(r.min_per_receiver, c.received);
    r.max_per_receiver = first ? c.received : std::max(r.max_per_receiver, c.received);
    first = false;
  }
}

} // namespace bench
