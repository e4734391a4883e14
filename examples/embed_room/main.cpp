// Embedding the server in a C++ application with a channel of its own.
//
// Topics "room:<name>" are served by room_channel below (joining needs
// {"user": "<name>"}); "realtime:*" topics keep Supabase Realtime's behaviour.
//   after the join, the user is tracked in the room's presence
//   ({"online_at": <unix ms>}) and the room's presence_state is pushed, as a
//   Phoenix app does with Phoenix.Presence; leaving untracks it
//   shout  -> broadcast {"user", "text"} to everyone in the room, reply ok
//   ping   -> reply ok {"pong": true}
//   crash  -> throws: the client gets phx_error for this room only
//
//   JWT_SECRET=... [CHANNEL_ERROR_BACKOFF_MS=...] embed_room [port]

#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>

#include "rt/endpoint.hpp"
#include "rt/protocol/encode.hpp"
#include "rt/protocol/json_text.hpp"

namespace {

class room_channel : public rt::channel_handler {
public:
  rt::join_result join(rt::channel_context&, const rt::join_request& req) override {
    auto* payload = req.payload.value.if_object();
    auto* user = payload != nullptr ? payload->if_contains("user") : nullptr;
    if (user == nullptr || !user->is_string())
      return rt::join_result::refuse("user required");
    user_ = std::string{user->get_string()};
    auto result = rt::join_result::accept(R"({"welcome":)" + rt::protocol::json_string(user_) + "}");
    result.after_join = true;
    return result;
  }

  void after_join(rt::channel_context& ctx) override {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    boost::json::object meta;
    meta["online_at"] = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
    ctx.track_presence(user_, std::move(meta));
    ctx.push_presence_state();
  }

  void handle_in(rt::channel_context& ctx, const rt::protocol::message& msg) override {
    if (msg.event == "ping")
      return ctx.reply(msg.ref, "ok", R"({"pong":true})");
    if (msg.event == "crash")
      throw std::runtime_error("crash requested by the client");
    if (msg.event == "shout" && msg.json() != nullptr)
      return shout(ctx, msg);
    rt::channel_handler::handle_in(ctx, msg);
  }

private:
  void shout(rt::channel_context& ctx, const rt::protocol::message& msg) {
    rt::pubsub::broadcast_message out;
    out.topic = std::string{ctx.topic()};
    out.event = "shout";
    out.payload_json = R"({"user":)" + rt::protocol::json_string(user_)
                       + R"(,"said":)" + msg.json()->text + "}";
    ctx.broadcast(std::move(out), true);
    ctx.reply(msg.ref, "ok", "{}");
  }

  std::string user_;
};

} // namespace

int main(int argc, char** argv) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  rt::endpoint_config cfg;
  cfg.bind_address = "127.0.0.1";
  cfg.port = argc > 1 ? static_cast<std::uint16_t>(std::stoi(argv[1])) : 0;
  if (auto* secret = std::getenv("JWT_SECRET"))
    cfg.jwt_secret = secret;
  if (auto* backoff = std::getenv("CHANNEL_ERROR_BACKOFF_MS"))
    cfg.channel_error_backoff = std::chrono::milliseconds{std::stoll(backoff)};

  caf::actor_system_config caf_cfg;
  caf_cfg.set("scheduler.policy", caf::atom("sharing"));
  caf_cfg.set("scheduler.max-threads", 1);
  caf::actor_system sys{caf_cfg};

  std::vector<rt::channel_route> routes;
  routes.push_back({"room:*", [] { return std::make_unique<room_channel>(); }});
  auto ep = rt::endpoint::start(sys, cfg, std::move(routes));
  if (!ep) {
    std::cerr << ep.error() << '\n';
    return 3;
  }
  // One write: the endpoint's actors may already be logging to stdout.
  auto line = "realtime listening on http://127.0.0.1:" + std::to_string(ep->port()) + '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
  int received = 0;
  sigwait(&signals, &received);
  ep->stop();
  return 0;
}
