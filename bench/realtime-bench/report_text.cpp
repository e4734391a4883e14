#include <cstdio>
#include <fstream>
#include <string_view>
#include <sys/stat.h>

#include "report.hpp"

namespace bench {

namespace {

constexpr const char* markdown_header =
  "| label | scenario | target | ready conns | deliveries/s | drops | p50 µs | p99 µs | "
  "p99.9 µs | max µs | server CPU µs/delivery | server CPU % | gen CPU % | RSS/conn KiB | "
  "joins/s | errors | status |\n"
  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";

std::string format(const char* pattern, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, pattern, value);
  return buf;
}

bool is_delivery_run(const bench_options& o) {
  return o.scenario == scenario_kind::fanout || o.scenario == scenario_kind::rooms ||
         o.scenario == scenario_kind::changes || o.scenario == scenario_kind::presence;
}

std::string rate_cell(const bench_options& o, const run_result& r) {
  if (!is_delivery_run(o))
    return "-";
  auto cell = format("%.0f", r.deliveries_per_s);
  if (r.generator_bound)
    cell += " (generator-bound)";
  return cell;
}

std::string latency_line(std::string_view name, const latency_summary& l) {
  return "  " + std::string{name} + " µs p50 " + std::to_string(l.p50_us) + " p99 " +
         std::to_string(l.p99_us) + " p99.9 " + std::to_string(l.p999_us) + " max " +
         std::to_string(l.max_us) + " (" + std::to_string(l.count) + " samples" +
         (l.overflow > 0 ? ", " + std::to_string(l.overflow) + " >= 2 s" : std::string{}) + ")\n";
}

std::string presence_text(const bench_options& o, const run_result& r) {
  std::string s = "  " + std::to_string(r.connections_ready - r.publishers_ready) +
                  " observers, " + std::to_string(r.publishers_ready) + " trackers, churn " +
                  to_string(o.churn) + "\n";
  s += "  sent " + std::to_string(r.tracks_sent) + " tracks + " +
       std::to_string(r.untracks_sent) + " untracks" +
       format(" (offered %.1f/s", r.offered_publish_rate) + ", skipped " +
       std::to_string(r.publish_refused) + "), answered ok " + std::to_string(r.track_acks) +
       " + " + std::to_string(r.untrack_acks) + ", refused " +
       std::to_string(r.presence_refusals) + format(": %.1f tracks/s", r.track_acks_per_s) +
       format(" (%.1f messages/s)\n", r.presence_acks_per_s);
  s += "  observer diffs " + std::to_string(r.received) + " of " + std::to_string(r.expected) +
       " (drops " + std::to_string(r.drops) + ", extra " + std::to_string(r.extra) + ")" +
       format(" in %.3f s", r.elapsed_s) + format(" = %.0f/s", r.deliveries_per_s) +
       "; tracker diffs " + std::to_string(r.tracker_received) + " of " +
       std::to_string(r.tracker_expected) + " (drops " + std::to_string(r.tracker_drops) + ")" +
       format("; all %.0f/s\n", r.all_deliveries_per_s);
  s += latency_line("track-to-diff latency", r.latency);
  s += latency_line("answer latency", r.answer_latency);
  s += "  presence_state pushes " + std::to_string(r.presence_states) + "\n";
  return s;
}

std::string markdown_row(const bench_options& o, const run_result& r) {
  bool deliveries = is_delivery_run(o);
  auto lat = [&](std::int64_t us) { return deliveries ? std::to_string(us) : std::string{"-"}; };
  std::string row = "| ";
  row += (o.label.empty() ? std::string{"-"} : o.label) + " | ";
  row += std::string{to_string(o.scenario)} + (r.mode.empty() ? "" : " " + r.mode) + " | ";
  row += std::string{to_string(o.target)} + (o.target == target_kind::realtime
                                                ? " vsn" + std::to_string(o.vsn) +
                                                    (o.binary ? " binary" : "") +
                                                    (o.private_channels ? " private" : "")
                                                : "") + " | ";
  row += std::to_string(r.connections_ready) + " | ";
  row += rate_cell(o, r) + " | ";
  row += (deliveries ? std::to_string(r.drops) : std::string{"-"}) + " | ";
  row += lat(r.latency.p50_us) + " | " + lat(r.latency.p99_us) + " | ";
  row += lat(r.latency.p999_us) + " | " + lat(r.latency.max_us) + " | ";
  row += (deliveries ? format("%.2f", r.server_cpu_us_per_delivery) : std::string{"-"}) + " | ";
  row += format("%.0f", r.server_cpu_pct) + " | ";
  row += format("%.0f", r.generator_cpu_pct) + " | ";
  row += format("%.2f", r.rss_per_conn_kib) + " | ";
  row += (o.scenario == scenario_kind::joinstorm ? format("%.0f", r.joins_per_s) : "-") + " | ";
  row += std::to_string(r.errors.total()) + " | ";
  row += std::string{to_string(r.status)} + " |\n";
  return row;
}

} // namespace

bool append_markdown(const std::string& path, const bench_options& opts, const run_result& r,
                     std::string& error) {
  struct stat st{};
  bool fresh = stat(path.c_str(), &st) != 0 || st.st_size == 0;
  std::ofstream out{path, std::ios::app};
  if (fresh)
    out << markdown_header;
  out << markdown_row(opts, r);
  out.close();
  if (!out) {
    error = "cannot append to " + path;
    return false;
  }
  return true;
}

std::string summary_text(const bench_options& o, const run_result& r) {
  std::string s = std::string{to_string(o.scenario)} + " / " + to_string(o.target) + ": " +
                  to_string(r.status);
  if (!r.failure.empty())
    s += " (" + r.failure + ")";
  s += "\n  connections planned " + std::to_string(r.connections_planned) + ", ready " +
       std::to_string(r.connections_ready) + (r.publishers_ready > 0 ? " (" + std::to_string(r.publishers_ready) + " publishing)" : "") +
       format(" in %.2f s", r.connect_seconds) + "\n";
  if (o.scenario == scenario_kind::changes) {
    s += "  live (Subscribed to PostgreSQL) " + std::to_string(r.live_subscribers) +
         format(" after %.3f s", r.live_seconds) + ", stopped: " + r.stop_reason + "\n";
    s += "  rows " + std::to_string(r.received) + " (distinct ids " +
         std::to_string(r.unique_rows) + ", expected " + std::to_string(r.expected) +
         ", missing " + std::to_string(r.drops) + ", duplicates " +
         std::to_string(r.duplicates) + ", ids " + std::to_string(r.id_min) + ".." +
         std::to_string(r.id_max) + ")\n";
    if (r.without_id > 0 || r.without_ts > 0)
      s += "  frames without id " + std::to_string(r.without_id) + ", without timestamp " +
           std::to_string(r.without_ts) + "\n";
    s += format("  rows/s first-to-last %.0f", r.rows_per_s_first_last) +
         format(" (%.3f s)", r.first_to_last_s) +
         format(", from live %.0f", r.rows_per_s_from_live) +
         format(" (%.3f s)", r.live_to_last_s) +
         format(", from join %.0f", r.rows_per_s_from_join) +
         format(" (%.3f s)\n", r.join_to_last_s);
    s += "  commit-to-client latency µs p50 " + std::to_string(r.latency.p50_us) + " p99 " +
         std::to_string(r.latency.p99_us) + " p99.9 " + std::to_string(r.latency.p999_us) +
         " max " + std::to_string(r.latency.max_us) +
         (r.latency.overflow > 0 ? " (" + std::to_string(r.latency.overflow) + " samples >= 2 s)"
                                 : std::string{}) +
         "\n";
  } else if (o.scenario == scenario_kind::presence) {
    s += presence_text(o, r);
  } else if (is_delivery_run(o)) {
    s += "  deliveries " + std::to_string(r.received) + " of " + std::to_string(r.expected) +
         " (drops " + std::to_string(r.drops) + ")" + format(" in %.3f s", r.elapsed_s) +
         format(" = %.0f/s", r.deliveries_per_s) +
         format(", offered %.1f publishes/s\n", r.offered_publish_rate);
    if (!r.received_per_port.empty()) {
      s += "  deliveries per port:";
      for (std::size_t i = 0; i < r.received_per_port.size(); ++i)
        s += (i > 0 ? ", " : " ") + std::to_string(o.ports[i]) + ": " +
             std::to_string(r.received_per_port[i]);
      s += "\n";
    }
    if (r.stalled > 0)
      s += "  stalled subscribers (not reading, not counted) " + std::to_string(r.stalled) + "\n";
    s += "  latency µs p50 " + std::to_string(r.latency.p50_us) + " p99 " +
         std::to_string(r.latency.p99_us) + " p99.9 " + std::to_string(r.latency.p999_us) +
         " max " + std::to_string(r.latency.max_us) + "\n";
  }
  if (o.scenario == scenario_kind::joinstorm)
    s += format("  connects/s %.0f", r.connects_per_s) + format(", joins/s %.0f", r.joins_per_s) +
         ", join latency µs p50 " + std::to_string(r.join_latency.p50_us) + " p99 " +
         std::to_string(r.join_latency.p99_us) + "\n";
  s += format("  server CPU %.2f s", r.server_cpu_s) + format(" (%.0f%%)", r.server_cpu_pct) +
       format(", %.2f µs/delivery", r.server_cpu_us_per_delivery) +
       ", RSS KiB idle " + std::to_string(r.server_rss_idle_kib) + " joined " +
       std::to_string(r.server_rss_joined_kib) + " peak " + std::to_string(r.server_rss_peak_kib) +
       format(", %.2f KiB/conn\n", r.rss_per_conn_kib);
  if (!r.server_cpu_s_each.empty()) {
    s += "  server CPU is the sum over the --server-pid processes; each:";
    for (std::size_t i = 0; i < r.server_cpu_s_each.size(); ++i)
      s += (i > 0 ? ", PID " : " PID ") + std::to_string(o.server_pids[i]) +
           format(" %.2f s", r.server_cpu_s_each[i]);
    s += "\n";
  }
  s += format("  generator CPU %.2f s", r.generator_cpu_s) +
       format(" (%.0f%% of one thread)", r.generator_cpu_pct) +
       (r.generator_bound ? " GENERATOR-BOUND" : "") +
       format(", %.1f deliveries per read\n",
              r.generator_reads > 0
                ? static_cast<double>(r.received) / static_cast<double>(r.generator_reads)
                : 0.0);
  s += "  errors " + std::to_string(r.errors.total()) + ", unexpected messages " +
       std::to_string(r.errors.unexpected) + "\n";
  for (const auto& sample : r.errors.samples)
    s += "    " + sample + "\n";
  return s;
}

} // namespace bench
