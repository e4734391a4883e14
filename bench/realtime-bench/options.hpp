#pragma once

// Command-line options of realtime-bench: which scenario, which server
// protocol, where, how much, and where to write the result.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bench {

/// The load shapes the generator can drive.
enum class scenario_kind : std::uint8_t { fanout, rooms, joinstorm, idle, changes, presence };

/// How the presence scenario's trackers change their presence.
enum class churn_kind : std::uint8_t {
  update,  ///< every message is a track with a new meta (an update once tracked)
  untrack, ///< track and untrack alternate
};

/// The wire protocol spoken to the server.
enum class target_kind : std::uint8_t { realtime, raw, sio, pusher, mqtt };

/// Every option, with its default.
struct bench_options {
  scenario_kind scenario = scenario_kind::fanout;
  target_kind target = target_kind::realtime;
  std::string host = "127.0.0.1";
  int port = 4000;           ///< the first --port: publishers and every non-fanout connection
  std::vector<int> ports;    ///< every --port in order (fanout: subscriber i uses ports[i % n])
  int sources = 0; ///< 0: one per 20,000 connections
  std::vector<int> server_pids;
  double max_seconds = 120;
  int connect_concurrency = 100;
  std::string label;
  std::string json_file;
  std::string markdown_file;

  // realtime target
  int vsn = 2;
  std::string token;
  std::string jwt_secret;
  std::string topic = "realtime:bench";
  bool binary = false;
  bool private_channels = false; ///< joins send config.private: true
  std::string path = "/realtime/v1/websocket";

  // raw target
  std::string sub_path = "/sub";
  std::string pub_path = "/pub";

  // pusher target
  std::string app_key = "app-key";
  std::string app_secret = "app-secret";

  // fanout
  int subscribers = 1000;
  int publishers = 1;
  int size = 100;
  std::int64_t msgs = 0;   ///< max mode when > 0
  double window = 10;
  double rate = 0;         ///< paced mode when > 0 (publishes/s in total)
  double duration = 5;
  double slow_fraction = 0; ///< share of subscribers that stop reading once joined

  // rooms
  int rooms = 10;
  int room_size = 5;

  // joinstorm and idle
  int connections = 1000;
  double duration_cap = 60;
  int joins_per_socket = 1; ///< joinstorm: channels each socket joins
  double settle = 3;

  // changes (Postgres Changes subscribers)
  std::string schema = "public";
  std::string table = "t";
  std::string event = "INSERT";
  std::string filter;              ///< optional postgres_changes filter, e.g. "a=eq.1"
  std::int64_t expect = 0;         ///< rows each subscriber should get; 0: until idle
  double idle_seconds = 5;         ///< stop after no change for this long (once one came)
  double first_seconds = 60;       ///< stop when no change came for this long after live
  double live_timeout = 30;        ///< wait for "Subscribed to PostgreSQL" at most this long
  std::string id_column = "id";    ///< record column for drops / duplicates (integer)
  std::string ts_column = "c";     ///< record column with the row's time (timestamptz)
  std::string ready_file;          ///< created once every subscriber is live

  // presence (observers are --subscribers; --rate / --duration, or --msgs / --window)
  int trackers = 50;                 ///< connections that track and change their presence
  churn_kind churn = churn_kind::update;
  int max_in_flight = 64;            ///< paced: unanswered presence messages per tracker
};

/// Parses the command line. On `--help` or an error it prints the message and
/// returns the exit status to use (0 for help, 2 for errors) in `exit_code`.
[[nodiscard]] std::optional<bench_options> parse_options(int argc, char** argv, int& exit_code);

/// Lower-case names, as on the command line.
[[nodiscard]] const char* to_string(scenario_kind kind) noexcept;
[[nodiscard]] const char* to_string(target_kind kind) noexcept;
[[nodiscard]] const char* to_string(churn_kind kind) noexcept;

/// Most --port values one run takes (a connection keeps its port's index in a byte).
inline constexpr std::size_t max_ports = 64;

/// Connections the scenario opens (subscribers + publishers, members, ...).
[[nodiscard]] std::int64_t planned_connections(const bench_options& opts) noexcept;

} // namespace bench
