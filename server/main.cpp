// realtime: a Supabase Realtime / Phoenix Channels compatible server.
//
//   realtime [options]                 serve until SIGINT or SIGTERM
//   realtime token --role anon ...     print a JWT signed with the secret
//
// Exit codes: 0 clean stop, 1 bad configuration, 2 bad command line,
// 3 cannot listen.

#include <malloc.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <spdlog/spdlog.h>

#include "rt/cluster.hpp"
#include "rt/endpoint.hpp"
#include "rt/protocol/jwt.hpp"
#include "rt/server/config.hpp"

namespace {

struct token_options {
  std::string role = "anon";
  long long exp_in = 3600;
  std::string sub;
  std::string alg = "HS256";
};

int print_token(const rt::endpoint_config& cfg, const token_options& opts) {
  boost::json::object claims;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  claims["role"] = opts.role;
  claims["iat"] = now;
  claims["exp"] = now + opts.exp_in;
  if (!opts.sub.empty())
    claims["sub"] = opts.sub;
  auto token = rt::protocol::sign_jwt(opts.alg, cfg.jwt_secret, claims);
  if (!token) {
    std::cerr << "unsupported algorithm " << opts.alg << '\n';
    return 2;
  }
  std::cout << *token << '\n';
  return 0;
}

// Blocks until SIGINT or SIGTERM; the signals are blocked in every thread
// started after this call's caller blocked them.
void wait_for_signal(const sigset_t& signals) {
  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("received signal {}, stopping", received);
}

int serve(rt::endpoint_config cfg) {
  // Connections are built on one thread and freed on another, so glibc's
  // per-thread heaps grow in many small steps (an mprotect each) during a
  // connection or join storm. Growing them 64 MiB at a time reserves address
  // space only; untouched pages add no RSS.
  mallopt(M_TOP_PAD, 64 << 20);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  caf::actor_system_config caf_cfg;
  // Work stealing busy-polls; sharing sleeps when idle (see docs/architecture.md).
  caf_cfg.set("scheduler.policy", caf::atom("sharing"));
  caf_cfg.set("scheduler.max-threads", cfg.actor_threads);
  rt::prepare_cluster(caf_cfg, cfg.cluster);
  caf::actor_system sys{caf_cfg};

  auto ep = rt::endpoint::start(sys, cfg);
  if (!ep) {
    spdlog::critical("{}", ep.error());
    return 3;
  }
  // One write: the actors may already be logging to stdout, and scripts read
  // the port from this line.
  auto line = "realtime listening on http://" + cfg.bind_address + ':' +
              std::to_string(ep->port()) + '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
  wait_for_signal(signals);
  ep->stop();
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"realtime: a Supabase Realtime and Phoenix Channels compatible server"};
  rt::endpoint_config cfg;
  rt::server::process_options proc;
  rt::server::add_serve_options(app, cfg, proc);
  token_options token;
  auto* token_cmd = app.add_subcommand("token", "Print a JWT signed with the JWT secret");
  token_cmd->add_option("--role", token.role, "role claim")->capture_default_str();
  token_cmd->add_option("--exp-in", token.exp_in, "seconds until exp")->capture_default_str();
  token_cmd->add_option("--sub", token.sub, "sub claim");
  token_cmd->add_option("--alg", token.alg, "HS256, HS384 or HS512")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  spdlog::set_level(spdlog::level::from_str(proc.log_level));
  if (auto ok = rt::server::finish_config(cfg, proc); !ok) {
    std::cerr << "realtime: " << ok.error() << '\n';
    return 1;
  }
  if (*token_cmd)
    return print_token(cfg, token);
  return serve(std::move(cfg));
}
