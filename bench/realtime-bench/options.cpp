#include "options.hpp"

#include <cmath>
#include <iostream>
#include <map>

#include <CLI/CLI.hpp>

namespace bench {

namespace {

const std::map<std::string, scenario_kind> scenario_names{{"fanout", scenario_kind::fanout},
                                                        {"rooms", scenario_kind::rooms},
                                                        {"joinstorm", scenario_kind::joinstorm},
                                                        {"idle", scenario_kind::idle},
                                                        {"changes", scenario_kind::changes},
                                                        {"presence", scenario_kind::presence}};
const std::map<std::string, target_kind> target_names{{"realtime", target_kind::realtime},
                                                    {"raw", target_kind::raw},
                                                    {"sio", target_kind::sio},
                                                    {"pusher", target_kind::pusher},
                                                    {"mqtt", target_kind::mqtt}};

const std::map<std::string, churn_kind> churn_names{{"update", churn_kind::update},
                                                  {"untrack", churn_kind::untrack}};

/// Names given on the command line, converted after parsing.
struct kind_names {
  std::string scenario;
  std::string target = "realtime";
  std::string churn = "update";
};

void add_common(CLI::App& app, bench_options& o, kind_names& names) {
  app.add_option("--scenario", names.scenario,
                 "fanout | rooms | joinstorm | idle | changes | presence")
    ->required()
    ->check(CLI::IsMember({"fanout", "rooms", "joinstorm", "idle", "changes", "presence"}));
  app.add_option("--target", names.target, "realtime | raw | sio | pusher | mqtt")
    ->capture_default_str()
    ->check(CLI::IsMember({"realtime", "raw", "sio", "pusher", "mqtt"}));
  app.add_option("--host", o.host, "server IPv4 address")->capture_default_str();
  app.add_option("--port", o.ports,
                 "server port (default 4000); repeat it (fanout) to spread the subscribers over "
                 "several ports, e.g. the nodes of a cluster: subscriber i uses the (i mod n)-th, "
                 "the publishers the first")
    ->allow_extra_args(false)
    ->check(CLI::Range(1, 65535));
  app.add_option("--sources", o.sources,
                 "source addresses 127.0.0.1..127.0.0.K (default: 1 per 20,000 connections)")
    ->check(CLI::Range(0, 250));
  app.add_option("--server-pid", o.server_pids, "server PID to sample (repeatable)");
  app.add_option("--max-seconds", o.max_seconds, "hard cap on the whole run; exit 2 when hit")
    ->capture_default_str()
    ->check(CLI::PositiveNumber);
  app.add_option("--connect-concurrency", o.connect_concurrency, "handshakes in flight")
    ->capture_default_str()
    ->check(CLI::Range(1, 100000));
  app.add_option("--label", o.label, "row label in the reports");
  app.add_option("--json", o.json_file, "write the result object to this file");
  app.add_option("--markdown", o.markdown_file, "append one table row to this file");
}

void add_target_options(CLI::App& app, bench_options& o) {
  app.add_option("--vsn", o.vsn, "realtime: serializer 1 or 2")
    ->capture_default_str()
    ->check(CLI::IsMember({1, 2}));
  app.add_option("--token", o.token, "realtime: JWT for apikey and access_token");
  app.add_option("--jwt-secret", o.jwt_secret, "realtime: sign an anon HS256 token with this");
  app.add_option("--topic", o.topic, "realtime: topic of fanout, changes and presence")->capture_default_str();
  app.add_flag("--binary", o.binary, "realtime: publish binary kind-3 user broadcasts");
  app.add_flag("--private", o.private_channels,
               "realtime: join private channels (config.private: true), which the server checks "
               "against realtime.messages' policies");
  app.add_option("--path", o.path, "realtime: WebSocket path")->capture_default_str();
  app.add_option("--sub-path", o.sub_path, "raw: subscriber path")->capture_default_str();
  app.add_option("--pub-path", o.pub_path, "raw: publisher path")->capture_default_str();
  app.add_option("--app-key", o.app_key, "pusher: application key")->capture_default_str();
  app.add_option("--app-secret", o.app_secret, "pusher: application secret")
    ->capture_default_str();
}

void add_load_options(CLI::App& app, bench_options& o) {
  app.add_option("--subscribers", o.subscribers,
                 "fanout, changes and presence: subscribers (changes: default 1; presence: "
                 "observers that never track)")
    ->capture_default_str()
    ->check(CLI::Range(1, 1000000));
  app.add_option("--publishers", o.publishers, "fanout: publishers")
    ->capture_default_str()
    ->check(CLI::Range(1, 1000));
  app.add_option("--size", o.size, "approximate payload bytes")
    ->capture_default_str()
    ->check(CLI::Range(16, 65536));
  app.add_option("--msgs", o.msgs, "fanout and presence max mode: messages to publish")
    ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40));
  app.add_option("--window", o.window,
                 "fanout and presence max mode: outstanding deliveries / subscribers")
    ->capture_default_str()
    ->check(CLI::PositiveNumber);
  app.add_option("--rate", o.rate,
                 "publishes/s (fanout: in total; rooms: per room; presence: presence messages/s "
                 "in total)")
    ->check(CLI::PositiveNumber);
  app.add_option("--duration", o.duration, "paced phase seconds")
    ->capture_default_str()
    ->check(CLI::PositiveNumber);
  app.add_option("--slow-fraction", o.slow_fraction,
                 "fanout: share of subscribers that stop reading once joined (slow consumers)")
    ->capture_default_str()
    ->check(CLI::Range(0.0, 0.5));
  app.add_option("--rooms", o.rooms, "rooms: number of topics")
    ->capture_default_str()
    ->check(CLI::Range(1, 1000000));
  app.add_option("--room-size", o.room_size, "rooms: members per topic")
    ->capture_default_str()
    ->check(CLI::Range(2, 1000000));
  app.add_option("--connections", o.connections, "joinstorm and idle: sockets")
    ->capture_default_str()
    ->check(CLI::Range(1, 10000000));
  app.add_option("--joins-per-socket", o.joins_per_socket,
                 "joinstorm: channels per socket; beyond the first, joined by all open sockets at once")
    ->capture_default_str()
    ->check(CLI::Range(1, 100));
  app.add_option("--duration-cap", o.duration_cap, "joinstorm: cap on the storm seconds")
    ->capture_default_str()
    ->check(CLI::PositiveNumber);
  app.add_option("--settle", o.settle, "idle: seconds to wait after joining")
    ->capture_default_str()
    ->check(CLI::NonNegativeNumber);
}

void add_presence_options(CLI::App& app, bench_options& o, kind_names& names) {
  app.add_option("--trackers", o.trackers,
                 "presence: connections that track and keep changing their presence")
    ->capture_default_str()
    ->check(CLI::Range(1, 100000));
  app.add_option("--churn", names.churn,
                 "presence: update (every message a track with a new meta) | untrack (track and "
                 "untrack alternate)")
    ->capture_default_str()
    ->check(CLI::IsMember({"update", "untrack"}));
  app.add_option("--max-in-flight", o.max_in_flight,
                 "presence paced mode: unanswered messages per tracker before one is skipped")
    ->capture_default_str()
    ->check(CLI::Range(1, 1000000));
}

void add_changes_options(CLI::App& app, bench_options& o) {
  app.add_option("--schema", o.schema, "changes: schema of the binding")->capture_default_str();
  app.add_option("--table", o.table, "changes: table of the binding")->capture_default_str();
  app.add_option("--event", o.event, "changes: INSERT | UPDATE | DELETE | *")
    ->capture_default_str()
    ->check(CLI::IsMember({"INSERT", "UPDATE", "DELETE", "*"}));
  app.add_option("--filter", o.filter, "changes: binding filter, e.g. a=eq.1");
  app.add_option("--expect", o.expect,
                 "changes: rows each subscriber should receive (0: count until idle)")
    ->capture_default_str()
    ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));
  app.add_option("--idle-seconds", o.idle_seconds,
                 "changes: stop once no change arrived for this long")
    ->capture_default_str()
    ->check(CLI::PositiveNumber);
  app.add_option("--first-seconds", o.first_seconds,
                 "changes: stop when no change arrived this long after going live")
    ->capture_default_str()
    ->check(CLI::PositiveNumber);
  app.add_option("--live-timeout", o.live_timeout,
                 "changes: seconds to wait for \"Subscribed to PostgreSQL\"")
    ->capture_default_str()
    ->check(CLI::PositiveNumber);
  app.add_option("--id-column", o.id_column, "changes: integer column for drops / duplicates")
    ->capture_default_str();
  app.add_option("--ts-column", o.ts_column,
                 "changes: timestamptz column (the row's clock_timestamp()) for latency")
    ->capture_default_str();
  app.add_option("--ready-file", o.ready_file,
                 "changes: file created once every subscriber is live (start the writer then)");
}

// Cross-option rules; returns an error message or an empty string.
std::string check(bench_options& o, bool rate_given) {
  bool realtime = o.target == target_kind::realtime;
  if (!realtime && (o.scenario == scenario_kind::rooms || o.scenario == scenario_kind::joinstorm))
    return std::string{"scenario "} + to_string(o.scenario) +
           " is only defined for --target realtime (it needs per-topic joins)";
  if (realtime && o.token.empty() && o.jwt_secret.empty())
    return "--target realtime needs --token or --jwt-secret";
  if (o.private_channels && !realtime)
    return "--private needs --target realtime";
  if (o.binary && (!realtime || o.vsn != 2))
    return "--binary needs --target realtime with --vsn 2 (vsn 1 sockets cannot carry binary frames)";
  if (o.scenario == scenario_kind::fanout) {
    if (rate_given && o.msgs > 0)
      return "--msgs (max mode) and --rate (paced mode) exclude each other";
    if (!rate_given && o.msgs == 0)
      o.msgs = 1000;
  }
  if (o.scenario == scenario_kind::presence) {
    if (!realtime)
      return "scenario presence is only defined for --target realtime";
    if (o.binary)
      return "--binary does not apply to --scenario presence (presence messages are text)";
    if (rate_given && o.msgs > 0)
      return "--msgs (max mode) and --rate (paced mode) exclude each other";
    if (!rate_given && o.msgs == 0)
      o.rate = 200;
  }
  if (o.ports.size() > max_ports)
    return "at most " + std::to_string(max_ports) + " --port values";
  if (o.ports.size() > 1 && o.scenario != scenario_kind::fanout)
    return "several --port values apply to --scenario fanout only";
  if (o.joins_per_socket > 1 && o.scenario != scenario_kind::joinstorm)
    return "--joins-per-socket applies to --scenario joinstorm only";
  if (o.slow_fraction > 0 && o.scenario != scenario_kind::fanout)
    return "--slow-fraction applies to --scenario fanout only";
  if (o.scenario == scenario_kind::rooms && !rate_given)
    o.rate = 1;
  if (o.scenario == scenario_kind::changes && !realtime)
    return "scenario changes is only defined for --target realtime";
  if (o.topic.rfind("realtime:", 0) != 0 && realtime)
    return "--topic must start with realtime:";
  return {};
}

} // namespace

std::optional<bench_options> parse_options(int argc, char** argv, int& exit_code) {
  bench_options o;
  kind_names names;
  CLI::App app{"realtime-bench: WebSocket fan-out load generator (one epoll thread)"};
  add_common(app, o, names);
  add_target_options(app, o);
  add_load_options(app, o);
  add_changes_options(app, o);
  add_presence_options(app, o, names);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    exit_code = app.exit(e) == 0 ? 0 : 2;
    return std::nullopt;
  }
  o.scenario = scenario_names.find(names.scenario)->second;
  o.target = target_names.find(names.target)->second;
  o.churn = churn_names.find(names.churn)->second;
  if (o.ports.empty())
    o.ports.push_back(o.port);
  o.port = o.ports.front();
  // One subscriber is the natural default for Postgres Changes.
  if (o.scenario == scenario_kind::changes && app.count("--subscribers") == 0)
    o.subscribers = 1;
  auto problem = check(o, app.count("--rate") > 0);
  if (!problem.empty()) {
    std::cerr << "realtime-bench: " << problem << '\n';
    exit_code = 2;
    return std::nullopt;
  }
  if (o.sources == 0)
    o.sources = static_cast<int>(std::max<std::int64_t>(1, (planned_connections(o) + 19999) / 20000));
  return o;
}

const char* to_string(scenario_kind kind) noexcept {
  switch (kind) {
    case scenario_kind::fanout:
      return "fanout";
    case scenario_kind::rooms:
      return "rooms";
    case scenario_kind::joinstorm:
      return "joinstorm";
    case scenario_kind::idle:
      return "idle";
    case scenario_kind::changes:
      return "changes";
    case scenario_kind::presence:
      return "presence";
  }
  return "?";
}

const char* to_string(churn_kind kind) noexcept {
  switch (kind) {
    case churn_kind::update:
      return "update";
    case churn_kind::untrack:
      return "untrack";
  }
  return "?";
}

const char* to_string(target_kind kind) noexcept {
  switch (kind) {
    case target_kind::realtime:
      return "realtime";
    case target_kind::raw:
      return "raw";
    case target_kind::sio:
      return "sio";
    case target_kind::pusher:
      return "pusher";
    case target_kind::mqtt:
      return "mqtt";
  }
  return "?";
}

std::int64_t planned_connections(const bench_options& o) noexcept {
  switch (o.scenario) {
    case scenario_kind::fanout:
      return std::int64_t{o.subscribers} + o.publishers;
    case scenario_kind::changes:
      return o.subscribers;
    case scenario_kind::presence:
      return std::int64_t{o.subscribers} + o.trackers;
    case scenario_kind::rooms:
      return std::int64_t{o.rooms} * o.room_size;
    case scenario_kind::joinstorm:
    case scenario_kind::idle:
      return o.connections;
  }
  return 0;
}

} // namespace bench
