#pragma once

// What every scenario shares: the loop, the server probe, the run's deadline,
// and the housekeeping done while waiting (heartbeats every 20 s per
// connection, peak-RSS samples). Scenarios are written as a few phases over
// these helpers.

#include <cstdint>
#include <memory>
#include <vector>

#include "client_loop.hpp"
#include "codec.hpp"
#include "options.hpp"
#include "proc_stats.hpp"
#include "result.hpp"

namespace bench {

/// One run's shared state. Single-threaded.
class session {
public:
  /// Generator CPU above this share of one thread marks a figure generator-bound.
  static constexpr double generator_bound_pct = 90.0;

  /// `opts` and `proto` must outlive the session.
  session(const bench_options& opts, codec& proto);

  [[nodiscard]] client_loop& loop() noexcept { return loop_; }
  [[nodiscard]] const bench_options& options() const noexcept { return opts_; }
  [[nodiscard]] run_result& result() noexcept { return result_; }
  [[nodiscard]] const server_probe& probe() const noexcept { return probe_; }

  /// True once --max-seconds has passed; the status becomes `max_seconds`.
  [[nodiscard]] bool expired();

  /// Polls once (up to `timeout_ms`) and does the housekeeping that is due.
  void step(int timeout_ms);

  /// Keeps polling for `seconds` (or until the deadline).
  void wait(double seconds);

  /// Starts connections [first, first + count) with at most
  /// --connect-concurrency of them between connect() and ready, and waits
  /// until each is ready or failed, `cap_seconds` pass, or the deadline.
  /// Returns how many became ready.
  std::int64_t connect(std::uint32_t first, std::uint32_t count, double cap_seconds);

  /// Starts the measured phase: remembers CPU and time, clears the latency
  /// histogram and turns recording on.
  void begin_measure();

  /// Ends the measured phase at `end_us` and fills elapsed time and the CPU
  /// figures of the result (`deliveries` for the per-delivery cost).
  void end_measure(std::int64_t end_us, std::uint64_t deliveries);

  /// Copies counters, errors and the latency summaries into the result.
  void finish();

  /// Marks the run failed with `why`.
  void fail(std::string why);

private:
  void housekeeping(std::int64_t now);

  const bench_options& opts_;
  client_loop loop_;
  server_probe probe_;
  run_result result_;
  std::int64_t deadline_us_ = 0;
  std::int64_t next_heartbeat_us_ = 0;
  std::int64_t next_rss_us_ = 0;
  std::uint64_t heartbeat_phase_ = 0;
  std::int64_t measure_start_us_ = 0;
  double measure_server_cpu_ = 0;
  std::vector<double> measure_server_cpu_each_;
  double measure_self_cpu_ = 0;
  std::uint64_t measure_reads_ = 0;
  std::uint64_t measure_wakeups_ = 0;
};

} // namespace bench
