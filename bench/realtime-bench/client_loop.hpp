#pragma once

// The event loop: one epoll instance, one thread, every client socket.
//
// Reading is done into one shared buffer in big chunks; frames are parsed in
// place and handed to the codec as views, so a delivery costs a scan and a
// few increments, never an allocation. Only the bytes of a frame cut by the
// end of a read are copied, into the connection's `pending` string.

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "clock.hpp"
#include "codec.hpp"
#include "connection.hpp"
#include "histogram.hpp"
#include "options.hpp"
#include "tally.hpp"
#include "ws_frame.hpp"

namespace bench {

/// Totals the loop keeps while it runs.
struct loop_counters {
  std::uint64_t opened = 0;       ///< upgrades answered with 101
  std::uint64_t ready = 0;        ///< connections that became ready
  std::uint64_t received = 0;     ///< deliveries (marks) on any socket
  std::uint64_t reads = 0;        ///< read() calls that returned data
  std::uint64_t wakeups = 0;      ///< epoll_wait calls that returned events
  std::uint64_t heartbeats_sent = 0;
  std::uint64_t heartbeats_answered = 0;
  std::uint64_t publisher_replies = 0; ///< non-delivery answers to publishes (nchan's channel info)
  std::int64_t last_open_us = 0;  ///< when the latest upgrade completed
  std::int64_t last_ready_us = 0; ///< when the latest connection became ready
  std::uint64_t extra_joins = 0;        ///< joins answered ok after a socket was ready
  std::int64_t last_extra_join_us = 0;  ///< when the latest of those came
};

/// What the changes scenario counts: postgres_changes frames and the
/// "Subscribed to PostgreSQL" notices. Times are `now_us()` (monotonic).
struct change_counters {
  std::uint64_t live = 0;        ///< subscribers told "Subscribed to PostgreSQL"
  std::int64_t last_live_us = 0; ///< when the latest of them was told
  std::uint64_t frames = 0;      ///< postgres_changes frames on any socket
  std::uint64_t without_id = 0;  ///< frames whose record lacks an integer id column
  std::uint64_t without_ts = 0;  ///< frames whose record lacks a parsable timestamp column
  std::int64_t first_us = 0;     ///< first frame (0: none yet)
  std::int64_t last_us = 0;      ///< latest frame
};

/// What the presence scenario counts. Observers are the `subscriber`
/// connections, trackers the `publisher` ones. Times are `now_us()`.
struct presence_counters {
  std::uint64_t observer_diffs = 0;  ///< presence_diff pushes received by observers
  std::uint64_t tracker_diffs = 0;   ///< presence_diff pushes received by trackers
  std::uint64_t samples = 0;         ///< marks found in the joins of observers' diffs
  std::uint64_t states = 0;          ///< presence_state pushes (any connection)
  std::uint64_t track_acks = 0;      ///< tracks answered ok
  std::uint64_t untrack_acks = 0;    ///< untracks answered ok
  std::uint64_t refusals = 0;        ///< presence messages answered with an error
  std::int64_t last_diff_us = 0;     ///< latest presence_diff (any connection)
  std::int64_t last_answer_us = 0;   ///< latest answer to a presence message
};

/// One-thread epoll client for many WebSocket connections.
class client_loop {
public:
  /// Bytes a single read may return; also the largest frame accepted.
  static constexpr std::size_t read_buffer_size = 256 * 1024;
  /// Unsent bytes a publisher may hold before publishes are refused.
  static constexpr std::size_t max_backlog = 16 * 1024 * 1024;

  /// `opts` and `proto` must outlive the loop. Returns with `error()` set when
  /// epoll or the server address cannot be set up.
  client_loop(const bench_options& opts, codec& proto);
  ~client_loop();
  client_loop(const client_loop&) = delete;
  client_loop& operator=(const client_loop&) = delete;

  /// Set when construction failed.
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

  /// Adds a connection slot (not yet started) and returns its index. It will
  /// connect to the `server`-th --port (taken modulo their number).
  std::uint32_t add(conn_role role, std::uint32_t topic, std::uint32_t server = 0);

  /// Adds a topic name; returns its index.
  std::uint32_t add_topic(std::string name);

  /// Starts the TCP connect of slot `index`; failures are tallied.
  void start(std::uint32_t index);

  /// Waits up to `timeout_ms` for socket events and handles them.
  void poll(int timeout_ms);

  /// Publishes mark `seq` on `c` (appended to its output; written now when
  /// `flush_now`). Returns false when `c` is not ready or its backlog is full.
  bool publish(connection& c, std::uint64_t seq, bool flush_now);

  /// Writes as much of `c.out` as the socket takes.
  void flush(connection& c);

  /// Sends one complete frame on `c` (control and handshake traffic).
  void send(connection& c, ws_opcode op, std::string_view payload);

  /// Sends raw bytes on `c` (already framed).
  void send_raw(connection& c, std::string_view bytes);

  /// Calls the codec's heartbeat on every `slices`-th open or ready
  /// connection, starting at `phase % slices`. Called `slices` times per
  /// heartbeat interval, it reaches each connection once per interval while
  /// spreading the sends evenly.
  void heartbeat_slice(std::uint64_t phase, std::uint64_t slices);

  /// The codec saw the subscription succeed.
  void mark_ready(connection& c);

  /// The codec saw an error reply or an error event; `fatal` also closes `c`.
  void report_error(connection& c, std::string_view what, bool fatal);

  /// The codec saw the server end a channel (phx_close / phx_error).
  void report_channel_close(connection& c, std::string_view what);

  /// The server sent something that cannot be parsed; closes `c`.
  void protocol_error(connection& c, std::string_view what);

  /// A message the codec did not expect (counted, kept as evidence).
  void report_unexpected(std::string_view what);

  /// A heartbeat went out / its answer came back.
  void count_heartbeat_sent() noexcept { ++counters_.heartbeats_sent; }
  void count_heartbeat_answer() noexcept { ++counters_.heartbeats_answered; }

  /// A join sent by `codec::join_more` was answered ok.
  void count_extra_join() noexcept {
    ++counters_.extra_joins;
    counters_.last_extra_join_us = now_us();
  }

  /// The protocol spoken on every connection.
  [[nodiscard]] codec& proto() noexcept { return codec_; }

  /// A publisher got an answer to a publish that is not an error (counted,
  /// not kept): nchan, for one, answers each published frame with channel info.
  void count_publisher_reply() noexcept { ++counters_.publisher_replies; }

  /// One delivery of mark (`seq`, `t_us`) on `c`. Hot path.
  void deliver(connection& c, std::uint64_t seq, std::int64_t t_us) noexcept {
    (void)seq;
    ++counters_.received;
    ++c.received;
    if (recording_)
      latency_.add(now_rel_ - t_us);
  }

  /// Sends a presence track (mark `seq`, sent now) or untrack on `c`
  /// (appended to its output; written now when `flush_now`). Returns false
  /// when `c` is not ready, its backlog is full, or the codec has no presence.
  bool presence_push(connection& c, bool track, std::uint64_t seq, bool flush_now);

  /// One presence_diff push on `c`. Hot path.
  void presence_diff(connection& c) noexcept {
    ++counters_.received;
    ++c.received;
    if (c.role == conn_role::subscriber)
      ++presence_.observer_diffs;
    else
      ++presence_.tracker_diffs;
    presence_.last_diff_us = now_rel_ + origin_;
  }

  /// A mark (sent at `t_us`, loop-relative) in the joins of a presence_diff
  /// on `c`: a latency sample when `c` is an observer. Hot path.
  void presence_mark(connection& c, std::int64_t t_us) noexcept {
    if (c.role != conn_role::subscriber)
      return;
    ++presence_.samples;
    if (recording_)
      latency_.add(now_rel_ - t_us);
  }

  /// The answer to a presence message on `c` sent at `t_us` (loop-relative).
  void presence_answer(connection& c, bool track, bool ok, std::int64_t t_us) noexcept {
    if (c.in_flight > 0)
      --c.in_flight;
    presence_.last_answer_us = now_rel_ + origin_;
    if (!ok) {
      ++presence_.refusals;
      return;
    }
    ++(track ? presence_.track_acks : presence_.untrack_acks);
    if (recording_)
      answer_latency_.add(now_rel_ - t_us);
  }

  /// A presence_state push on `c`.
  void presence_state(connection& c) noexcept {
    (void)c;
    ++presence_.states;
  }

  [[nodiscard]] const presence_counters& presence() const noexcept { return presence_; }

  /// Presence message to its ok answer (presence scenario).
  [[nodiscard]] histogram& answer_latency() noexcept { return answer_latency_; }

  /// The codec saw "Subscribed to PostgreSQL" on `c`.
  void mark_live(connection& c);

  /// One postgres_changes frame on `c`: the record's id (when it has one)
  /// and the row's own time in CLOCK_REALTIME microseconds (when it has
  /// one). Latency (receipt minus row time) is recorded while recording.
  void deliver_change(connection& c, bool has_id, std::uint64_t id, bool has_ts,
                      std::int64_t row_real_us);

  [[nodiscard]] const change_counters& changes() const noexcept { return changes_; }

  /// Ids received per connection (changes scenario), by connection index.
  [[nodiscard]] std::vector<std::vector<std::uint64_t>>& change_ids() noexcept { return change_ids_; }

  /// Stops reading `c` for good: the server sees a client that never reads.
  /// Writes (heartbeats) still go out.
  void stall(connection& c);

  /// Closes every socket (with RST) without counting it as an error.
  void close_all();

  /// Time relative to the loop's origin, as stamped into marks.
  [[nodiscard]] std::int64_t relative(std::int64_t abs_us) const noexcept { return abs_us - origin_; }

  /// Latency recording on or off (deliveries are always counted).
  void set_recording(bool on) noexcept { recording_ = on; }

  [[nodiscard]] std::vector<connection>& connections() noexcept { return conns_; }
  [[nodiscard]] const std::string& topic(const connection& c) const { return topics_[c.topic]; }
  [[nodiscard]] const bench_options& options() const noexcept { return opts_; }
  [[nodiscard]] const loop_counters& counters() const noexcept { return counters_; }
  [[nodiscard]] error_tally& errors() noexcept { return errors_; }
  [[nodiscard]] histogram& latency() noexcept { return latency_; }
  [[nodiscard]] histogram& join_latency() noexcept { return join_latency_; }

private:
  void on_writable(connection& c);
  void on_readable(connection& c);
  std::size_t consume(connection& c, std::string_view data);
  bool consume_upgrade(connection& c, std::string_view data, std::size_t& used);
  void handle_frame(connection& c, const server_frame& frame);
  void handle_close_frame(connection& c, std::string_view payload);
  void lose(connection& c, std::string_view kind, std::string_view why);
  void arm_write(connection& c, bool on);
  void update_interest(connection& c);
  void connect_failed(connection& c, std::string_view why);

  const bench_options& opts_;
  codec& codec_;
  int epoll_fd_ = -1;
  std::vector<sockaddr_in> servers_; ///< one per --port
  std::vector<sockaddr_in> sources_;
  std::vector<connection> conns_;
  std::vector<std::string> topics_;
  std::vector<char> read_buf_;
  std::string scratch_;
  std::string error_;
  loop_counters counters_;
  change_counters changes_;
  presence_counters presence_;
  std::vector<std::vector<std::uint64_t>> change_ids_;
  error_tally errors_;
  histogram latency_;
  histogram join_latency_;
  histogram answer_latency_;
  std::int64_t origin_ = 0;
  std::int64_t now_rel_ = 0;
  bool recording_ = false;
  bool closing_ = false;
};

} // namespace bench
