#pragma once

// Process figures read from /proc and getrusage: the server's CPU time
// (utime + stime of /proc/PID/stat) and resident set (VmRSS of
// /proc/PID/status), summed over every watched PID, and this process's own CPU.

#include <cstdint>
#include <string>
#include <vector>

namespace bench {

/// The server processes to watch. An empty list makes every figure 0.
class server_probe {
public:
  explicit server_probe(std::vector<int> pids) : pids_(std::move(pids)) {}

  /// CPU seconds (user + system) used so far, summed over the PIDs. A PID
  /// that has gone away contributes 0.
  [[nodiscard]] double cpu_seconds() const;

  /// CPU seconds used so far by each PID, in --server-pid order.
  [[nodiscard]] std::vector<double> cpu_seconds_each() const;

  /// VmRSS in KiB, summed over the PIDs.
  [[nodiscard]] std::int64_t rss_kib() const;

  /// True when at least one PID is watched.
  [[nodiscard]] bool active() const noexcept { return !pids_.empty(); }

  /// PIDs that cannot be read now (gone or not permitted).
  [[nodiscard]] std::vector<int> missing() const;

private:
  std::vector<int> pids_;
};

/// CPU seconds (user + system) this process has used so far.
[[nodiscard]] double self_cpu_seconds();

/// Peak RSS of this process in KiB (getrusage ru_maxrss).
[[nodiscard]] std::int64_t self_peak_rss_kib();

/// Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the new soft
/// limit (the old one if raising failed).
std::uint64_t raise_fd_limit();

} // namespace bench
