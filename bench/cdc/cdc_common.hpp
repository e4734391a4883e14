#pragma once

// What the bench/cdc helpers (notify_listener, slot_poller, pgoutput_sink)
// share: a "--key value" command line, a tally of received rows (count,
// distinct ids, duplicates, first/last receipt, latency of the row's own
// timestamp against CLOCK_REALTIME at receipt) and one JSON object on
// stdout (or --json FILE) in the same shape for every helper, so that
// bench/cdc.sh reads them all alike. Header-only.

#include <poll.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "histogram.hpp"
#include "iso_time.hpp"

namespace cdc {

/// "--key value" pairs (and bare "--flag"), no validation beyond numbers.
class args {
public:
  args(int argc, char** argv, std::string usage) : usage_(std::move(usage)) {
    for (int i = 1; i < argc; ++i) {
      std::string k = argv[i];
      if (k == "-h" || k == "--help") {
        std::cout << usage_;
        std::exit(0);
      }
      if (k.rfind("--", 0) != 0)
        die("unexpected argument " + k);
      k = k.substr(2);
      if (i + 1 < argc && std::string_view{argv[i + 1]}.rfind("--", 0) != 0)
        values_[k] = argv[++i];
      else
        values_[k] = "1";
    }
  }

  std::string str(const std::string& k, const std::string& dflt) const {
    auto it = values_.find(k);
    return it == values_.end() ? dflt : it->second;
  }

  double num(const std::string& k, double dflt) const {
    auto it = values_.find(k);
    if (it == values_.end())
      return dflt;
    char* end = nullptr;
    double v = std::strtod(it->second.c_str(), &end);
    if (end == it->second.c_str() || *end != '\0')
      die("--" + k + " needs a number, not " + it->second);
    return v;
  }

  [[noreturn]] void die(const std::string& why) const {
    std::cerr << "error: " << why << "\n" << usage_;
    std::exit(2);
  }

private:
  std::string usage_;
  std::map<std::string, std::string> values_;
};

/// Monotonic microseconds (for durations and idleness).
inline std::int64_t mono_us() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000;
}

/// Reads the digits at the start of `s` (after an optional quote).
inline bool leading_integer(std::string_view s, std::uint64_t& out) {
  if (!s.empty() && s.front() == '"')
    s.remove_prefix(1);
  std::uint64_t v = 0;
  std::size_t n = 0;
  for (; n < s.size(); ++n) {
    unsigned d = static_cast<unsigned char>(s[n]) - '0';
    if (d > 9)
      break;
    v = v * 10 + d;
  }
  if (n == 0)
    return false;
  out = v;
  return true;
}

/// Every received row: counts, ids, receipt times and latency.
class tally {
public:
  /// One row received now; `row_us` is its own timestamp (CLOCK_REALTIME µs).
  void add(bool has_id, std::uint64_t id, bool has_ts, std::int64_t row_us) {
    auto now_real = bench::realtime_us();
    auto now = mono_us();
    if (rows_ == 0) {
      first_mono_ = now;
      first_real_ = now_real;
    }
    last_mono_ = now;
    last_real_ = now_real;
    ++rows_;
    if (has_id)
      ids_.push_back(id);
    else
      ++without_id_;
    if (has_ts)
      latency_.add(now_real - row_us);
    else
      ++without_ts_;
  }

  [[nodiscard]] std::uint64_t rows() const { return rows_; }
  [[nodiscard]] std::int64_t last_mono() const { return last_mono_; }

  /// The JSON object every helper prints. `ready_real`/`ready_mono`: when the
  /// helper was ready to receive (connected, listening, started); `extra`:
  /// helper-specific members, already formatted as `"k":v,` pairs.
  std::string json(const std::string& tool, std::uint64_t expected, const std::string& stop,
                   std::int64_t start_real, std::int64_t ready_real, std::int64_t start_mono,
                   std::int64_t ready_mono, const std::string& extra) {
    std::sort(ids_.begin(), ids_.end());
    auto unique = static_cast<std::uint64_t>(std::unique(ids_.begin(), ids_.end()) - ids_.begin());
    auto dups = ids_.size() - unique;
    auto lat = latency_.summary();
    auto secs = [](std::int64_t a, std::int64_t b) { return static_cast<double>(b - a) / 1e6; };
    double f2l = rows_ ? secs(first_mono_, last_mono_) : 0;
    double r2l = rows_ ? secs(ready_mono, last_mono_) : 0;
    double s2l = rows_ ? secs(start_mono, last_mono_) : 0;
    auto rate = [&](double s) { return s > 0 ? static_cast<double>(rows_) / s : 0.0; };
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    double self_cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                      static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    std::ostringstream o;
    o.setf(std::ios::fixed);
    o.precision(6);
    o << "{\"tool\":\"" << tool << "\",\"stop_reason\":\"" << stop << "\",\"expected\":" << expected
      << ",\"rows\":" << rows_ << ",\"unique_rows\":" << unique << ",\"duplicates\":" << dups
      << ",\"missing\":" << (expected > unique ? expected - unique : 0)
      << ",\"without_id\":" << without_id_ << ",\"without_ts\":" << without_ts_
      << ",\"id_min\":" << (unique ? ids_.front() : 0)
      << ",\"id_max\":" << (unique ? ids_[unique - 1] : 0) << "," << extra
      << "\"start_unix_us\":" << start_real << ",\"ready_unix_us\":" << ready_real
      << ",\"first_unix_us\":" << (rows_ ? first_real_ : 0)
      << ",\"last_unix_us\":" << (rows_ ? last_real_ : 0) << ",\"first_to_last_s\":" << f2l
      << ",\"ready_to_last_s\":" << r2l << ",\"start_to_last_s\":" << s2l
      << ",\"rows_per_s_first_last\":" << rate(f2l) << ",\"rows_per_s_from_ready\":" << rate(r2l)
      << ",\"rows_per_s_from_start\":" << rate(s2l) << ",\"self_cpu_s\":" << self_cpu
      << ",\"latency_us\":{\"count\":" << lat.count
      << ",\"p50\":" << lat.p50_us << ",\"p99\":" << lat.p99_us << ",\"p999\":" << lat.p999_us
      << ",\"max\":" << lat.max_us << ",\"overflow_2s\":" << lat.overflow << "}}";
    return o.str();
  }

private:
  std::uint64_t rows_ = 0;
  std::uint64_t without_id_ = 0;
  std::uint64_t without_ts_ = 0;
  std::int64_t first_mono_ = 0, last_mono_ = 0, first_real_ = 0, last_real_ = 0;
  std::vector<std::uint64_t> ids_;
  bench::histogram latency_;
};

/// When a consumer loop stops on its own, all times in µs of mono_us().
struct stop_limits {
  std::uint64_t expect = 0;  ///< rows that end the run (0: no count)
  std::int64_t idle_us = 0;  ///< quiet time after the last row
  std::int64_t first_us = 0; ///< time allowed for the first row, from `ready`
  std::int64_t max_us = 0;   ///< whole run, from `start`
  std::int64_t start = 0;
  std::int64_t ready = 0;
};

/// Why the loop should stop now ("expected", "idle", "no_rows",
/// "max_seconds"), or empty to go on. `waits` false skips the idle and
/// first-row limits (a drain that has no count to wait for).
inline std::string stop_reason(const tally& t, const stop_limits& l, std::int64_t now,
                               bool waits = true) {
  if (l.expect > 0 && t.rows() >= l.expect)
    return "expected";
  if (waits && t.rows() > 0 && now - t.last_mono() > l.idle_us)
    return "idle";
  if (waits && t.rows() == 0 && now - l.ready > l.first_us)
    return "no_rows";
  if (now - l.start > l.max_us)
    return "max_seconds";
  return {};
}

/// Writes `text` + newline to `path` (or stdout when empty).
inline void emit(const std::string& path, const std::string& text) {
  if (path.empty()) {
    std::cout << text << std::endl;
    return;
  }
  std::ofstream out{path, std::ios::trunc};
  out << text << '\n';
  if (!out)
    std::cerr << "cannot write " << path << '\n';
}

/// Creates `path` (if set) to say "ready"; `text` is its content.
inline void touch(const std::string& path, const std::string& text = "ready") {
  if (path.empty())
    return;
  std::ofstream out{path, std::ios::trunc};
  out << text << '\n';
}

/// The value text of JSON key `key` ("\"c\":") in `s` from `from` on: the
/// characters after the colon up to the next ',' or '}' (a string keeps its
/// quotes). Empty when absent. For flat, trusted JSON only.
inline std::string_view flat_value(std::string_view s, std::string_view key, std::size_t from = 0) {
  auto p = s.find(key, from);
  if (p == std::string_view::npos)
    return {};
  p += key.size();
  if (p < s.size() && s[p] == '"') {
    auto e = s.find('"', p + 1);
    return e == std::string_view::npos ? std::string_view{} : s.substr(p, e + 1 - p);
  }
  auto e = s.find_first_of(",}", p);
  return s.substr(p, (e == std::string_view::npos ? s.size() : e) - p);
}

/// Unquotes a flat JSON string value (no escapes expected in timestamps).
inline std::string_view unquote(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
    return v.substr(1, v.size() - 2);
  return v;
}

} // namespace cdc
