#include "session.hpp"

#include <algorithm>
#include <numeric>

namespace bench {

namespace {

// Every socket sends a heartbeat each 20 s (the server closes sockets silent
// for 60 s); they go out in 200 slices, one every 100 ms, so that no burst of
// sends disturbs the latency figures.
constexpr std::uint64_t heartbeat_slices = 200;
constexpr std::int64_t heartbeat_slice_us = 20'000'000 / heartbeat_slices;
constexpr std::int64_t rss_sample_us = 200'000;

} // namespace

session::session(const bench_options& opts, codec& proto)
  : opts_(opts), loop_(opts, proto), probe_(opts.server_pids) {
  auto now = now_us();
  deadline_us_ = now + static_cast<std::int64_t>(opts.max_seconds * 1e6);
  next_heartbeat_us_ = now + heartbeat_slice_us;
  next_rss_us_ = now;
}

bool session::expired() {
  if (now_us() < deadline_us_)
    return false;
  if (result_.status == run_status::completed) {
    result_.status = run_status::max_seconds;
    result_.failure = "--max-seconds reached; figures are partial";
  }
  return true;
}

void session::housekeeping(std::int64_t now) {
  if (now >= next_heartbeat_us_) {
    loop_.heartbeat_slice(heartbeat_phase_++, heartbeat_slices);
    next_heartbeat_us_ += heartbeat_slice_us;
  }
  if (probe_.active() && now >= next_rss_us_) {
    result_.server_rss_peak_kib = std::max(result_.server_rss_peak_kib, probe_.rss_kib());
    next_rss_us_ = now + rss_sample_us;
  }
}

void session::step(int timeout_ms) {
  loop_.poll(timeout_ms);
  housekeeping(now_us());
}

void session::wait(double seconds) {
  auto end = now_us() + static_cast<std::int64_t>(seconds * 1e6);
  while (now_us() < end && !expired())
    step(10);
}

std::int64_t session::connect(std::uint32_t first, std::uint32_t count, double cap_seconds) {
  const auto& counters = loop_.counters();
  const auto& errors = loop_.errors();
  auto ready0 = counters.ready;
  auto failed0 = errors.failed_before_ready;
  auto cap_end = now_us() + static_cast<std::int64_t>(cap_seconds * 1e6);
  auto limit = static_cast<std::uint64_t>(opts_.connect_concurrency);
  std::uint32_t next = first;
  const std::uint32_t end = first + count;
  for (;;) {
    auto done = (counters.ready - ready0) + (errors.failed_before_ready - failed0);
    auto in_flight = (next - first) - done;
    while (next < end && in_flight < limit) {
      loop_.start(next++);
      ++in_flight;
    }
    if (done >= count || expired() || now_us() >= cap_end)
      break;
    step(1);
  }
  return static_cast<std::int64_t>(counters.ready - ready0);
}

void session::begin_measure() {
  loop_.latency().clear();
  loop_.answer_latency().clear();
  loop_.set_recording(true);
  measure_server_cpu_each_ = probe_.cpu_seconds_each();
  measure_server_cpu_ =
    std::accumulate(measure_server_cpu_each_.begin(), measure_server_cpu_each_.end(), 0.0);
  measure_self_cpu_ = self_cpu_seconds();
  measure_reads_ = loop_.counters().reads;
  measure_wakeups_ = loop_.counters().wakeups;
  measure_start_us_ = now_us();
}

void session::end_measure(std::int64_t end_us, std::uint64_t deliveries) {
  auto now = now_us();
  loop_.set_recording(false);
  auto& r = result_;
  r.elapsed_s = seconds_between(measure_start_us_, std::max(end_us, measure_start_us_ + 1));
  auto wall = seconds_between(measure_start_us_, std::max(now, measure_start_us_ + 1));
  auto cpu_each = probe_.cpu_seconds_each();
  auto cpu_now = std::accumulate(cpu_each.begin(), cpu_each.end(), 0.0);
  r.server_cpu_s = probe_.active() ? cpu_now - measure_server_cpu_ : 0;
  // Several PIDs (the nodes of a cluster): the figures above are their sum;
  // each one's share is kept as well.
  r.server_cpu_s_each.clear();
  if (cpu_each.size() > 1)
    for (std::size_t i = 0; i < cpu_each.size(); ++i)
      r.server_cpu_s_each.push_back(cpu_each[i] - measure_server_cpu_each_[i]);
  r.server_cpu_pct = 100.0 * r.server_cpu_s / wall;
  r.server_cpu_us_per_delivery =
    deliveries > 0 ? r.server_cpu_s * 1e6 / static_cast<double>(deliveries) : 0;
  r.generator_cpu_s = self_cpu_seconds() - measure_self_cpu_;
  r.generator_cpu_pct = 100.0 * r.generator_cpu_s / wall;
  r.generator_bound = r.generator_cpu_pct > generator_bound_pct;
  r.generator_reads = loop_.counters().reads - measure_reads_;
  r.generator_wakeups = loop_.counters().wakeups - measure_wakeups_;
}

void session::finish() {
  auto& r = result_;
  const auto& counters = loop_.counters();
  r.heartbeats_sent = counters.heartbeats_sent;
  r.heartbeats_answered = counters.heartbeats_answered;
  r.publisher_replies = counters.publisher_replies;
  r.errors = loop_.errors();
  r.latency = loop_.latency().summary();
  r.join_latency = loop_.join_latency().summary();
  r.answer_latency = loop_.answer_latency().summary();
  r.generator_rss_peak_kib = self_peak_rss_kib();
  if (probe_.active())
    r.server_rss_peak_kib = std::max(r.server_rss_peak_kib, probe_.rss_kib());
}

void session::fail(std::string why) {
  result_.status = run_status::failed;
  result_.failure = std::move(why);
}

const char* to_string(run_status status) noexcept {
  switch (status) {
    case run_status::completed:
      return "completed";
    case run_status::max_seconds:
      return "max_seconds";
    case run_status::failed:
      return "failed";
  }
  return "?";
}

} // namespace bench
