#include "proc_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace bench {

namespace {

// Fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends the
// command name (which may itself contain spaces and parentheses).
bool read_cpu_ticks(int pid, std::uint64_t& ticks) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
  std::ifstream in{path};
  std::string text{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  auto close = text.rfind(')');
  if (close == std::string::npos)
    return false;
  std::istringstream fields{text.substr(close + 2)};
  std::string field;
  std::uint64_t utime = 0;
  std::uint64_t stime = 0;
  for (int index = 3; index <= 15 && (fields >> field); ++index) {
    if (index == 14)
      utime = std::strtoull(field.c_str(), nullptr, 10);
    else if (index == 15)
      stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  ticks = utime + stime;
  return true;
}

bool read_rss_kib(int pid, std::int64_t& kib) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/status", pid);
  std::ifstream in{path};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      kib = std::strtoll(line.c_str() + 6, nullptr, 10);
      return true;
    }
  }
  return false;
}

double to_seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

} // namespace

double server_probe::cpu_seconds() const {
  double total = 0;
  for (double each : cpu_seconds_each())
    total += each;
  return total;
}

std::vector<double> server_probe::cpu_seconds_each() const {
  static const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::vector<double> each;
  each.reserve(pids_.size());
  for (int pid : pids_) {
    std::uint64_t ticks = 0;
    each.push_back(read_cpu_ticks(pid, ticks) ? static_cast<double>(ticks) / ticks_per_second : 0.0);
  }
  return each;
}

std::int64_t server_probe::rss_kib() const {
  std::int64_t total = 0;
  for (int pid : pids_) {
    std::int64_t kib = 0;
    if (read_rss_kib(pid, kib))
      total += kib;
  }
  return total;
}

std::vector<int> server_probe::missing() const {
  std::vector<int> gone;
  for (int pid : pids_) {
    std::int64_t kib = 0;
    if (!read_rss_kib(pid, kib))
      gone.push_back(pid);
  }
  return gone;
}

double self_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return to_seconds(usage.ru_utime) + to_seconds(usage.ru_stime);
}

std::int64_t self_peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

std::uint64_t raise_fd_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
    return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
      return raised.rlim_cur;
  }
  return limit.rlim_cur;
}

} // namespace bench
