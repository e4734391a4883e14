// realtime-bench: a load generator for Phoenix Channels / Supabase Realtime
// and the peer servers it is compared with (raw WebSocket relays, Socket.IO,
// Pusher, MQTT over WebSocket). One process, one epoll thread.
//
//   realtime-bench --scenario fanout|rooms|joinstorm|idle|changes|presence --target ... [options]
//
// Exit status: 0 run completed (drops and errors are in the report), 1 setup
// failed, 2 bad command line or --max-seconds reached (partial report written).

#include <unistd.h>

#include <csignal>
#include <cmath>
#include <iostream>

#include "codec.hpp"
#include "options.hpp"
#include "proc_stats.hpp"
#include "report.hpp"
#include "scenarios.hpp"
#include "session.hpp"

namespace {

using namespace bench;

constexpr std::uint64_t spare_descriptors = 64;

bool check_descriptors(const bench_options& opts) {
  auto limit = raise_fd_limit();
  auto needed = static_cast<std::uint64_t>(planned_connections(opts)) + spare_descriptors;
  if (needed <= limit)
    return true;
  std::cerr << "realtime-bench: " << planned_connections(opts)
            << " connections need about " << needed
            << " file descriptors, but RLIMIT_NOFILE is " << limit
            << " (hard limit); raise it or run fewer connections\n";
  return false;
}

void run(session& s) {
  switch (s.options().scenario) {
    case scenario_kind::fanout:
      return run_fanout(s);
    case scenario_kind::rooms:
      return run_rooms(s);
    case scenario_kind::joinstorm:
      return run_joinstorm(s);
    case scenario_kind::idle:
      return run_idle(s);
    case scenario_kind::changes:
      return run_changes(s);
    case scenario_kind::presence:
      return run_presence(s);
  }
}

bool write_reports(const bench_options& opts, const run_result& r) {
  std::string error;
  bool ok = true;
  if (!opts.json_file.empty() && !write_json(opts.json_file, opts, r, error)) {
    std::cerr << "realtime-bench: " << error << '\n';
    ok = false;
  }
  if (!opts.markdown_file.empty() && !append_markdown(opts.markdown_file, opts, r, error)) {
    std::cerr << "realtime-bench: " << error << '\n';
    ok = false;
  }
  std::cout << summary_text(opts, r) << std::flush;
  return ok;
}

int exit_status(run_status status) {
  switch (status) {
    case run_status::completed:
      return 0;
    case run_status::failed:
      return 1;
    case run_status::max_seconds:
      return 2;
  }
  return 1;
}

} // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  int code = 0;
  auto opts = parse_options(argc, argv, code);
  if (!opts)
    return code;
  if (!check_descriptors(*opts))
    return 2;
  std::string error;
  auto proto = make_codec(*opts, error);
  if (!proto) {
    std::cerr << "realtime-bench: " << error << '\n';
    return 2;
  }
  session s{*opts, *proto};
  if (!s.loop().error().empty()) {
    std::cerr << "realtime-bench: " << s.loop().error() << '\n';
    return 1;
  }
  for (int pid : s.probe().missing())
    std::cerr << "realtime-bench: warning: cannot read /proc/" << pid << '\n';
  // Backstop in case a phase fails to notice the deadline: the kernel ends us.
  alarm(static_cast<unsigned>(std::ceil(opts->max_seconds)) + 60);
  run(s);
  s.finish();
  s.loop().close_all();
  if (!write_reports(*opts, s.result()))
    return 1;
  return exit_status(s.result().status);
}
