#pragma once

// The figures of one run. Filled by the scenarios, written by report.cpp.

#include <cstdint>
#include <string>
#include <vector>

#include "histogram.hpp"
#include "tally.hpp"

namespace bench {

/// How a run ended.
enum class run_status : std::uint8_t {
  completed,   ///< every phase ran to its end
  max_seconds, ///< --max-seconds cut the run short; figures are partial
  failed,      ///< setup failed (nothing connected, publisher not ready, ...)
};

/// Everything a run measured.
struct run_result {
  run_status status = run_status::completed;
  std::string failure; ///< why, when failed or cut short
  std::string mode;    ///< fanout: "max" or "paced"

  std::int64_t connections_planned = 0;
  std::int64_t connections_ready = 0; ///< subscribed / joined
  std::int64_t publishers_ready = 0;
  double connect_seconds = 0;

  std::uint64_t published = 0;
  std::uint64_t publish_refused = 0; ///< publishes skipped: publisher backlog full or closed
  std::uint64_t expected = 0;
  std::uint64_t received = 0;
  std::uint64_t drops = 0; ///< expected - received, when positive
  std::uint64_t extra = 0; ///< received - expected, when positive
  std::uint64_t stalled = 0; ///< subscribers that stopped reading (--slow-fraction)
  /// Deliveries to the ready subscribers of each --port (only with several).
  std::vector<std::uint64_t> received_per_port;
  std::uint64_t min_per_receiver = 0;
  std::uint64_t max_per_receiver = 0;
  double elapsed_s = 0;
  double deliveries_per_s = 0;
  double offered_publish_rate = 0;
  latency_summary latency;

  double connects_per_s = 0;
  double joins_per_s = 0;
  std::uint64_t extra_joins = 0; ///< joinstorm: joins answered ok on sockets already joined
  latency_summary join_latency;

  double server_cpu_s = 0;
  double server_cpu_pct = 0;
  double server_cpu_us_per_delivery = 0;
  std::vector<double> server_cpu_s_each; ///< CPU of each --server-pid (only with several)
  std::int64_t server_rss_idle_kib = 0;
  std::int64_t server_rss_joined_kib = 0;
  std::int64_t server_rss_peak_kib = 0;
  double rss_per_conn_kib = 0;

  double generator_cpu_s = 0;
  double generator_cpu_pct = 0;
  bool generator_bound = false;
  std::int64_t generator_rss_peak_kib = 0;
  std::uint64_t generator_reads = 0;   ///< read() calls with data in the measured phase
  std::uint64_t generator_wakeups = 0; ///< epoll_wait returns with events in the phase

  // changes scenario
  std::uint64_t live_subscribers = 0; ///< told "Subscribed to PostgreSQL"
  double live_seconds = 0;            ///< first join sent -> last subscriber live
  std::string stop_reason;            ///< expected | idle | no_changes | max_seconds
  std::uint64_t unique_rows = 0;      ///< distinct ids, summed over subscribers
  std::uint64_t duplicates = 0;       ///< frames repeating an id on the same socket
  std::uint64_t without_id = 0;       ///< frames without an integer id column
  std::uint64_t without_ts = 0;       ///< frames without a parsable timestamp column
  std::uint64_t id_min = 0;
  std::uint64_t id_max = 0;
  double first_to_last_s = 0;         ///< first to last postgres_changes frame
  double live_to_last_s = 0;          ///< "Subscribed to PostgreSQL" to last frame
  double join_to_last_s = 0;          ///< first join sent to last frame
  double rows_per_s_first_last = 0;   ///< frames / first_to_last_s
  double rows_per_s_from_live = 0;    ///< frames / live_to_last_s
  double rows_per_s_from_join = 0;    ///< frames / join_to_last_s
  std::int64_t live_unix_us = 0;      ///< CLOCK_REALTIME of the live notice
  std::int64_t first_unix_us = 0;     ///< CLOCK_REALTIME of the first frame
  std::int64_t last_unix_us = 0;      ///< CLOCK_REALTIME of the last frame

  // presence scenario (observers: expected / received / drops above;
  // published: presence messages sent; publishers_ready: trackers)
  std::uint64_t tracks_sent = 0;
  std::uint64_t untracks_sent = 0;
  std::uint64_t track_acks = 0;        ///< tracks answered ok
  std::uint64_t untrack_acks = 0;      ///< untracks answered ok
  std::uint64_t presence_refusals = 0; ///< presence messages answered with an error
  double track_acks_per_s = 0;         ///< tracks answered ok / first send to last answer
  double presence_acks_per_s = 0;      ///< tracks and untracks answered ok, per second
  std::uint64_t tracker_expected = 0;  ///< presence_diff pushes due to the trackers
  std::uint64_t tracker_received = 0;  ///< presence_diff pushes the trackers got
  std::uint64_t tracker_drops = 0;
  double all_deliveries_per_s = 0;     ///< observers' and trackers' diffs per second
  std::uint64_t presence_samples = 0;  ///< marks in observers' diffs' joins (latency samples)
  std::uint64_t presence_states = 0;   ///< presence_state pushes received
  latency_summary answer_latency;      ///< presence message to its ok answer

  std::uint64_t heartbeats_sent = 0;
  std::uint64_t heartbeats_answered = 0;
  std::uint64_t publisher_replies = 0;
  error_tally errors;
};

/// Lower-case name of a status, as in the JSON.
[[nodiscard]] const char* to_string(run_status status) noexcept;

} // namespace bench
