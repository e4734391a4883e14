#include <fstream>

#include "json_writer.hpp"
#include "report.hpp"

namespace bench {

namespace {

void write_params(json_writer& w, const bench_options& o) {
  w.begin_object("params");
  w.value("host", o.host);
  w.value("port", o.port);
  if (o.ports.size() > 1) {
    w.begin_array("ports");
    for (int port : o.ports)
      w.value("", port);
    w.end_array();
  }
  w.value("sources", o.sources);
  w.value("max_seconds", o.max_seconds);
  w.value("connect_concurrency", o.connect_concurrency);
  if (o.target == target_kind::realtime) {
    w.value("vsn", o.vsn);
    w.value("topic", o.topic);
    w.value("binary", o.binary);
    w.value("private", o.private_channels);
    w.value("path", o.path);
  }
  if (o.target == target_kind::raw) {
    w.value("sub_path", o.sub_path);
    w.value("pub_path", o.pub_path);
  }
  w.value("size", o.size);
  if (o.scenario == scenario_kind::fanout) {
    w.value("subscribers", o.subscribers);
    w.value("publishers", o.publishers);
    w.value("msgs", o.msgs);
    w.value("window", o.window);
    w.value("slow_fraction", o.slow_fraction);
  }
  if (o.scenario == scenario_kind::rooms) {
    w.value("rooms", o.rooms);
    w.value("room_size", o.room_size);
  }
  if (o.scenario == scenario_kind::presence) {
    w.value("subscribers", o.subscribers);
    w.value("trackers", o.trackers);
    w.value("churn", to_string(o.churn));
    w.value("msgs", o.msgs);
    w.value("window", o.window);
    w.value("max_in_flight", o.max_in_flight);
  }
  if (o.scenario == scenario_kind::fanout || o.scenario == scenario_kind::rooms ||
      o.scenario == scenario_kind::presence) {
    w.value("rate", o.rate);
    w.value("duration", o.duration);
  }
  if (o.scenario == scenario_kind::changes) {
    w.value("subscribers", o.subscribers);
    w.value("schema", o.schema);
    w.value("table", o.table);
    w.value("event", o.event);
    w.value("filter", o.filter);
    w.value("expect", o.expect);
    w.value("idle_seconds", o.idle_seconds);
    w.value("first_seconds", o.first_seconds);
    w.value("id_column", o.id_column);
    w.value("ts_column", o.ts_column);
  }
  if (o.scenario == scenario_kind::joinstorm || o.scenario == scenario_kind::idle) {
    w.value("connections", o.connections);
    w.value("duration_cap", o.duration_cap);
    w.value("joins_per_socket", o.joins_per_socket);
    w.value("settle", o.settle);
  }
  w.end_object();
}

void write_latency(json_writer& w, std::string_view key, const latency_summary& l) {
  w.begin_object(key);
  w.value("count", l.count);
  w.value("p50", l.p50_us);
  w.value("p99", l.p99_us);
  w.value("p999", l.p999_us);
  w.value("max", l.max_us);
  w.value("overflow_2s", l.overflow);
  w.end_object();
}

void write_deliveries(json_writer& w, const run_result& r) {
  w.begin_object("deliveries");
  w.value("published", r.published);
  w.value("publish_refused", r.publish_refused);
  w.value("publisher_replies", r.publisher_replies);
  w.value("expected", r.expected);
  w.value("received", r.received);
  w.value("drops", r.drops);
  w.value("extra", r.extra);
  w.value("stalled_receivers", r.stalled);
  if (!r.received_per_port.empty()) {
    w.begin_array("received_per_port");
    for (auto n : r.received_per_port)
      w.value("", n);
    w.end_array();
  }
  w.value("min_per_receiver", r.min_per_receiver);
  w.value("max_per_receiver", r.max_per_receiver);
  w.value("elapsed_s", r.elapsed_s);
  w.value("deliveries_per_s", r.deliveries_per_s);
  w.value("offered_publish_rate", r.offered_publish_rate);
  w.end_object();
}

void write_changes(json_writer& w, const run_result& r) {
  w.begin_object("changes");
  w.value("live_subscribers", r.live_subscribers);
  w.value("live_seconds", r.live_seconds);
  w.value("stop_reason", r.stop_reason);
  w.value("expected", r.expected);
  w.value("frames", r.received);
  w.value("unique_rows", r.unique_rows);
  w.value("missing", r.drops);
  w.value("duplicates", r.duplicates);
  w.value("without_id", r.without_id);
  w.value("without_ts", r.without_ts);
  w.value("id_min", r.id_min);
  w.value("id_max", r.id_max);
  w.value("first_to_last_s", r.first_to_last_s);
  w.value("live_to_last_s", r.live_to_last_s);
  w.value("join_to_last_s", r.join_to_last_s);
  w.value("rows_per_s_first_last", r.rows_per_s_first_last);
  w.value("rows_per_s_from_live", r.rows_per_s_from_live);
  w.value("rows_per_s_from_join", r.rows_per_s_from_join);
  w.value("live_unix_us", r.live_unix_us);
  w.value("first_unix_us", r.first_unix_us);
  w.value("last_unix_us", r.last_unix_us);
  w.end_object();
}

// Observers' diffs are in "deliveries" (expected, received, drops,
// deliveries_per_s); this is the rest.
void write_presence(json_writer& w, const run_result& r) {
  w.begin_object("presence");
  w.value("observers_ready", r.connections_ready - r.publishers_ready);
  w.value("trackers_ready", r.publishers_ready);
  w.value("tracks_sent", r.tracks_sent);
  w.value("untracks_sent", r.untracks_sent);
  w.value("skipped", r.publish_refused);
  w.value("track_acks", r.track_acks);
  w.value("untrack_acks", r.untrack_acks);
  w.value("refusals", r.presence_refusals);
  w.value("track_acks_per_s", r.track_acks_per_s);
  w.value("acks_per_s", r.presence_acks_per_s);
  w.value("observer_diffs_per_s", r.deliveries_per_s);
  w.value("tracker_expected", r.tracker_expected);
  w.value("tracker_received", r.tracker_received);
  w.value("tracker_drops", r.tracker_drops);
  w.value("all_diffs_per_s", r.all_deliveries_per_s);
  w.value("latency_samples", r.presence_samples);
  w.value("presence_states", r.presence_states);
  w.end_object();
}

void write_connections(json_writer& w, const run_result& r) {
  w.begin_object("connections");
  w.value("planned", r.connections_planned);
  w.value("ready", r.connections_ready);
  w.value("publishers_ready", r.publishers_ready);
  w.value("connect_seconds", r.connect_seconds);
  w.value("connects_per_s", r.connects_per_s);
  w.value("joins_per_s", r.joins_per_s);
  w.value("extra_joins", r.extra_joins);
  w.end_object();
}

void write_server(json_writer& w, const bench_options& o, const run_result& r) {
  w.begin_object("server");
  w.begin_array("pids");
  for (int pid : o.server_pids)
    w.value("", pid);
  w.end_array();
  w.value("cpu_s", r.server_cpu_s);
  if (!r.server_cpu_s_each.empty()) {
    w.begin_array("cpu_s_each");
    for (double each : r.server_cpu_s_each)
      w.value("", each);
    w.end_array();
  }
  w.value("cpu_pct", r.server_cpu_pct);
  w.value("cpu_us_per_delivery", r.server_cpu_us_per_delivery);
  w.value("rss_idle_kib", r.server_rss_idle_kib);
  w.value("rss_joined_kib", r.server_rss_joined_kib);
  w.value("rss_peak_kib", r.server_rss_peak_kib);
  w.value("rss_per_conn_kib", r.rss_per_conn_kib);
  w.end_object();
}

void write_errors(json_writer& w, const run_result& r) {
  const auto& e = r.errors;
  w.begin_object("errors");
  w.value("total", e.total());
  w.value("connect_failed", e.connect_failed);
  w.value("refused", e.refused);
  w.value("close_frames", e.close_frames);
  w.value("disconnects", e.disconnects);
  w.value("error_replies", e.error_replies);
  w.value("channel_closes", e.channel_closes);
  w.value("protocol_errors", e.protocol_errors);
  w.value("unexpected_messages", e.unexpected);
  w.value("failed_before_ready", e.failed_before_ready);
  w.value("lost_after_ready", e.lost_after_ready);
  w.begin_array("samples");
  for (const auto& s : e.samples)
    w.value("", s);
  w.end_array();
  w.end_object();
}

} // namespace

std::string result_json(const bench_options& o, const run_result& r) {
  json_writer w;
  w.begin_object();
  w.value("label", o.label);
  w.value("scenario", to_string(o.scenario));
  w.value("target", to_string(o.target));
  w.value("status", to_string(r.status));
  w.value("failure", r.failure);
  w.value("mode", r.mode);
  write_params(w, o);
  write_connections(w, r);
  write_deliveries(w, r);
  if (o.scenario == scenario_kind::changes)
    write_changes(w, r);
  if (o.scenario == scenario_kind::presence)
    write_presence(w, r);
  write_latency(w, "latency_us", r.latency);
  if (o.scenario == scenario_kind::presence)
    write_latency(w, "answer_latency_us", r.answer_latency);
  write_latency(w, "join_latency_us", r.join_latency);
  write_server(w, o, r);
  w.begin_object("generator");
  w.value("cpu_s", r.generator_cpu_s);
  w.value("cpu_pct_of_one_thread", r.generator_cpu_pct);
  w.value("rss_peak_kib", r.generator_rss_peak_kib);
  w.value("reads", r.generator_reads);
  w.value("epoll_wakeups", r.generator_wakeups);
  w.value("deliveries_per_read",
          r.generator_reads > 0
            ? static_cast<double>(r.received) / static_cast<double>(r.generator_reads)
            : 0.0);
  w.end_object();
  w.value("generator_bound", r.generator_bound);
  w.begin_object("heartbeats");
  w.value("sent", r.heartbeats_sent);
  w.value("answered", r.heartbeats_answered);
  w.end_object();
  write_errors(w, r);
  w.end_object();
  return w.text();
}

bool write_json(const std::string& path, const bench_options& opts, const run_result& r,
                std::string& error) {
  std::ofstream out{path, std::ios::trunc};
  out << result_json(opts, r);
  out.close();
  if (!out) {
    error = "cannot write " + path;
    return false;
  }
  return true;
}

} // namespace bench
