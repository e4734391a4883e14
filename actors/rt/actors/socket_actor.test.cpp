#define CAF_SUITE socket_actor

#include "rt/actors/socket_actor.hpp"

#include <caf/test/dsl.hpp>

#include <algorithm>
#include <thread>

#include "rt/actors/messages.hpp"
#include "rt/actors/pubsub_actor.hpp"
#include "rt/actors/timer_service.hpp"
#include "rt/actors/realtime_channel.hpp"
#include "rt/actors/recording_sink.test.hpp"
#include "rt/protocol/decode.hpp"
#include "rt/protocol/jwt.hpp"

using namespace std::chrono_literals;
using rt::protocol::vsn;

namespace {

using rt::actors::testing::recording_sink;

// An application channel for `test:*` topics: "boom" throws, "stop" ends it.
class test_channel : public rt::channel_handler {
public:
  rt::join_result join(rt::channel_context&, const rt::join_request&) override {
    return rt::join_result::accept();
  }
  void handle_in(rt::channel_context& ctx, const rt::protocol::message& msg) override {
    if (msg.event == "boom")
      throw std::runtime_error("boom");
    if (msg.event == "stop")
      return ctx.stop();
    rt::channel_handler::handle_in(ctx, msg);
  }
};

// An application channel for `later:*` topics whose join waits for a message
// to the channel ("accept", "refuse" or "crash"), published in `joining`.
class deferred_channel : public rt::channel_handler {
public:
  explicit deferred_channel(std::shared_ptr<caf::actor> joining) : joining_(std::move(joining)) {}

  rt::join_result join(rt::channel_context& ctx, const rt::join_request&) override {
    *joining_ = ctx.address().actor;
    return rt::join_result::defer();
  }
  void handle_info(rt::channel_context& ctx, const caf::message& msg) override {
    if (!msg.match_elements<std::string>())
      return;
    const auto& what = msg.get_as<std::string>(0);
    if (what == "crash")
      throw std::runtime_error("crash while joining");
    ctx.complete_join(what == "accept" ? rt::join_result::accept(R"({"late":true})")
                                       : rt::join_result::refuse("not now"));
    // A second answer is ignored.
    ctx.complete_join(rt::join_result::accept());
  }

private:
  std::shared_ptr<caf::actor> joining_;
};

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

std::string make_token(std::int64_t exp_offset) {
  boost::json::object claims;
  claims["role"] = "anon";
  claims["exp"] = now_unix() + exp_offset;
  return *rt::protocol::sign_jwt("HS256", "secret", claims);
}

struct client {
  std::shared_ptr<recording_sink> sink;
  caf::actor socket;
  vsn version;
};

// Note: sched.run() consumes messages only; the fixture's run() would also
// fire every timer, including the channels' token checks, forever.
struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<rt::actors::endpoint_context> ctx;
  /// The channel actor of the last `later:*` join.
  std::shared_ptr<caf::actor> joining = std::make_shared<caf::actor>();

  fixture() {
    rt::endpoint_config cfg;
    cfg.jwt_secret = "secret";
    cfg.channel_error_backoff = 0ms;
    cfg.max_channels_per_client = 3;
    cfg.max_payload_size_kb = 1;
    ctx = std::make_shared<rt::actors::endpoint_context>(cfg);
    ctx->pubsub = rt::actors::spawn_pubsub(sys);
    ctx->timers = rt::actors::spawn_timer_service(sys);
    ctx->routes.push_back({"test:*", [] { return std::make_unique<test_channel>(); }});
    ctx->routes.push_back({"later:*", [j = joining] { return std::make_unique<deferred_channel>(j); }});
    ctx->routes.push_back(rt::actors::realtime_route(ctx));
  }

  ~fixture() override {
    for (auto& s : sockets)
      caf::anon_send(s, rt::actors::closed_atom::value);
    caf::anon_send_exit(ctx->pubsub, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(ctx->timers, caf::exit_reason::user_shutdown);
    sched.run();
  }

  client connect(vsn v = vsn::v2) {
    return connect(rt::socket_info{v, make_token(3600), {}});
  }

  // A socket whose token was verified at connect, as the server does it.
  client connect_verified(std::int64_t exp_offset) {
    auto token = make_token(exp_offset);
    auto verified = rt::protocol::verify_jwt(token, ctx->jwt, now_unix());
    CAF_REQUIRE(verified.has_value());
    return connect(rt::socket_info{vsn::v2, token, verified->claims});
  }

  client connect(rt::socket_info info) {
    auto v = info.version;
    auto sink = std::make_shared<recording_sink>();
    auto socket = rt::actors::spawn_socket(sys, ctx, sink, info);
    sockets.push_back(socket);
    sched.run();
    return {sink, socket, v};
  }

  std::vector<caf::actor> sockets;

  void send_text(const client& c, std::string_view text) {
    auto decoded = rt::protocol::decode_text(c.version, text);
    rt::actors::inbound in;
    if (decoded)
      in.content = std::move(*decoded);
    else
      in.content = decoded.error();
    caf::anon_send(c.socket, std::move(in));
    sched.run();
  }

  void send_binary(const client& c, std::string_view bytes) {
    auto decoded = rt::protocol::decode_binary(c.version, bytes);
    CAF_REQUIRE(decoded.has_value());
    caf::anon_send(c.socket, rt::actors::inbound{std::move(*decoded)});
    sched.run();
  }

  rt::actors::pubsub_stats stats() {
    rt::actors::pubsub_stats out;
    self->send(ctx->pubsub, rt::actors::stats_atom::value);
    sched.run();
    self->receive([&](rt::actors::pubsub_stats& s) { out = s; });
    return out;
  }
};

using strings = std::vector<std::string>;

const std::string ok_join_reply =
  R"(["1","1","realtime:room","phx_reply",{"status":"ok","response":{"postgres_changes":[]}}])";

} // namespace

CAF_TEST_FIXTURE_SCOPE(socket_actor_tests, fixture)

CAF_TEST(heartbeat is answered on topic phoenix with the ref echoed) {
  auto c = connect();
  send_text(c, R"([null,7,"phoenix","heartbeat",{}])");
  CAF_CHECK_EQUAL(c.sink->take(),
                  strings{R"([null,7,"phoenix","phx_reply",{"status":"ok","response":{}}])"});
  CAF_CHECK_EQUAL(c.sink->consumed_count, 1u);
}

CAF_TEST(join replies ok and leave replies ok then closes) {
  auto c = connect();
  send_text(c, R"(["1","1","realtime:room","phx_join",{}])");
  CAF_CHECK_EQUAL(c.sink->take(), strings{ok_join_reply});
  CAF_CHECK_EQUAL(stats().subscribers, 1u);
  send_text(c, R"(["1","2","realtime:room","phx_leave",{}])");
  CAF_CHECK_EQUAL(c.sink->take(),
                  (strings{R"(["1","2","realtime:room","phx_reply",{"status":"ok","response":{}}])",
                           R"(["1","1","realtime:room","phx_close",{}])"}));
  CAF_CHECK_EQUAL(stats().subscribers, 0u);
}

CAF_TEST(v1 frames never carry a join_ref) {
  auto c = connect(vsn::v1);
  send_text(c, R"({"topic":"realtime:room","event":"phx_join","payload":{},"ref":"1"})");
  CAF_CHECK_EQUAL(
    c.sink->take(),
    strings{
      R"({"topic":"realtime:room","event":"phx_reply","payload":{"status":"ok","response":{"postgres_changes":[]}},"ref":"1"})"});
  send_text(c, R"({"topic":"realtime:room","event":"phx_leave","payload":{},"ref":"2"})");
  CAF_CHECK_EQUAL(
    c.sink->take(),
    (strings{
      R"({"topic":"realtime:room","event":"phx_reply","payload":{"status":"ok","response":{}},"ref":"2"})",
      R"({"topic":"realtime:room","event":"phx_close","payload":{},"ref":"1"})"}));
}

CAF_TEST(duplicate join replies to the new join before closing the old one) {
  auto c = connect();
  send_text(c, R"(["1","1","realtime:room","phx_join",{}])");
  c.sink->take();
  send_text(c, R"(["5","5","realtime:room","phx_join",{}])");
  CAF_CHECK_EQUAL(
    c.sink->take(),
    (strings{
      R"(["5","5","realtime:room","phx_reply",{"status":"ok","response":{"postgres_changes":[]}}])",
      R"(["1","1","realtime:room","phx_close",{}])"}));
  CAF_CHECK_EQUAL(stats().subscribers, 1u);
}

CAF_TEST(unmatched topics and unjoined topics get unmatched topic) {
  auto c = connect();
  send_text(c, R"(["1","1","room:lobby","phx_join",{}])");
  send_text(c, R"(["1","2","realtime:other","broadcast",{}])");
  send_text(c, R"(["1","3","realtime:other","phx_leave",{}])");
  CAF_CHECK_EQUAL(
    c.sink->take(),
    (strings{
      R"([null,"1","room:lobby","phx_reply",{"status":"error","response":{"reason":"unmatched topic"}}])",
      R"([null,"2","realtime:other","phx_reply",{"status":"error","response":{"reason":"unmatched topic"}}])",
      R"(["1","3","realtime:other","phx_reply",{"status":"ok","response":{}}])"}));
}

CAF_TEST(a crashing channel yields phx_error for its topic only) {
  auto c = connect();
  send_text(c, R"(["1","1","realtime:room","phx_join",{}])");
  send_text(c, R"(["2","2","test:x","phx_join",{}])");
  c.sink->take();
  send_text(c, R"(["2","3","test:x","boom",{}])");
  CAF_CHECK_EQUAL(c.sink->take(), strings{R"(["2","2","test:x","phx_error",{}])"});
  send_text(c, R"(["2","4","test:x","ping",{}])");
  send_text(c, R"(["1","5","realtime:room","phx_leave",{}])");
  auto frames = c.sink->take();
  CAF_REQUIRE_EQUAL(frames.size(), 3u);
  CAF_CHECK_EQUAL(frames[0],
                  R"([null,"4","test:x","phx_reply",{"status":"error","response":{"reason":"unmatched topic"}}])");
  CAF_CHECK_EQUAL(frames[2], R"(["1","1","realtime:room","phx_close",{}])");
}

CAF_TEST(a deferred join answers when the handler completes it; frames wait until then) {
  auto c = connect();
  send_text(c, R"(["1","1","later:x","phx_join",{}])");
  send_text(c, R"([null,"2","phoenix","heartbeat",{}])");
  CAF_CHECK_EQUAL(c.sink->take(), strings{});
  caf::anon_send(*joining, std::string{"accept"});
  sched.run();
  // The join reply goes out through pubsub (ahead of the topic's broadcasts),
  // the heartbeat's straight from the socket: their order is not defined.
  auto frames = c.sink->take();
  std::sort(frames.begin(), frames.end());
  CAF_CHECK_EQUAL(frames,
                  (strings{R"(["1","1","later:x","phx_reply",{"status":"ok","response":{"late":true}}])",
                           R"([null,"2","phoenix","phx_reply",{"status":"ok","response":{}}])"}));
}

CAF_TEST(a deferred join can be refused) {
  auto c = connect();
  send_text(c, R"(["1","1","later:x","phx_join",{}])");
  caf::anon_send(*joining, std::string{"refuse"});
  sched.run();
  CAF_CHECK_EQUAL(c.sink->take(),
                  strings{R"(["1","1","later:x","phx_reply",{"status":"error","response":{"reason":"not now"}}])"});
}

CAF_TEST(a channel that crashes before completing its join answers join crashed) {
  auto c = connect();
  send_text(c, R"(["1","1","later:x","phx_join",{}])");
  caf::anon_send(*joining, std::string{"crash"});
  sched.run();
  send_text(c, R"([null,"2","phoenix","heartbeat",{}])");
  CAF_CHECK_EQUAL(c.sink->take(),
                  (strings{R"(["1","1","later:x","phx_reply",{"status":"error","response":{"reason":"join crashed"}}])",
                           R"([null,"2","phoenix","phx_reply",{"status":"ok","response":{}}])"}));
}

CAF_TEST(a channel that stops itself yields phx_close) {
  auto c = connect();
  send_text(c, R"(["2","2","test:x","phx_join",{}])");
  c.sink->take();
  send_text(c, R"(["2","3","test:x","stop",{}])");
  CAF_CHECK_EQUAL(c.sink->take(), strings{R"(["2","2","test:x","phx_close",{}])"});
}

CAF_TEST(stale or missing join_refs are routed to the current join) {
  auto c = connect();
  send_text(c, R"(["1","1","realtime:room","phx_join",{"config":{"broadcast":{"ack":true}}}])");
  c.sink->take();
  send_text(c, R"(["99","2","realtime:room","broadcast",{"type":"broadcast","event":"e","payload":{}}])");
  send_text(c, R"([null,"3","realtime:room","broadcast",{"type":"broadcast","event":"e","payload":{}}])");
  CAF_CHECK_EQUAL(c.sink->take(),
                  (strings{R"(["1","2","realtime:room","phx_reply",{"status":"ok","response":{}}])",
                           R"(["1","3","realtime:room","phx_reply",{"status":"ok","response":{}}])"}));
}

CAF_TEST(the channel limit refuses joins beyond it) {
  auto c = connect();
  for (auto topic : {"realtime:a", "realtime:b", "realtime:c", "realtime:d"})
    send_text(c, std::string{R"(["1","1",")"} + topic + R"(","phx_join",{}])");
  auto frames = c.sink->take();
  CAF_REQUIRE_EQUAL(frames.size(), 4u);
  CAF_CHECK_EQUAL(
    frames[3],
    R"(["1","1","realtime:d","phx_reply",{"status":"error","response":{"reason":"ChannelRateLimitReached: Too many channels"}}])");
}

CAF_TEST(join errors wait for the backoff and hold later frames back) {
  ctx->config.channel_error_backoff = 5s;
  auto c = connect();
  send_text(c, R"(["1","1","realtime:","phx_join",{}])");
  send_text(c, R"([null,"2","phoenix","heartbeat",{}])");
  CAF_CHECK(c.sink->frames.empty());
  sched.advance_time(5s);
  sched.run();
  CAF_CHECK_EQUAL(
    c.sink->take(),
    (strings{
      R"(["1","1","realtime:","phx_reply",{"status":"error","response":{"reason":"TopicNameRequired: You must provide a topic name"}}])",
      R"([null,"2","phoenix","phx_reply",{"status":"ok","response":{}}])"}));
}

CAF_TEST(an expired channel token is refused at join) {
  auto c = connect();
  auto token = make_token(-10);
  send_text(c, R"(["1","1","realtime:room","phx_join",{"access_token":")" + token + R"("}])");
  auto frames = c.sink->take();
  CAF_REQUIRE_EQUAL(frames.size(), 1u);
  CAF_CHECK(frames[0].find("InvalidJWTToken: Token has expired 1") != std::string::npos);
}

CAF_TEST(postgres changes bindings are refused until they are served) {
  auto c = connect();
  send_text(
    c,
    R"(["1","1","realtime:room","phx_join",{"config":{"postgres_changes":[{"event":"*","schema":"public"}]}}])");
  auto frames = c.sink->take();
  CAF_REQUIRE_EQUAL(frames.size(), 1u);
  CAF_CHECK(frames[0].find("RealtimeDisabledForConfiguration") != std::string::npos);
}

CAF_TEST(broadcast honours self and reaches other subscribers unchanged) {
  auto a = connect();
  auto b = connect();
  send_text(a, R"(["1","1","realtime:room","phx_join",{}])");
  send_text(b, R"(["1","1","realtime:room","phx_join",{"config":{"broadcast":{"self":true}}}])");
  a.sink->take();
  b.sink->take();
  send_text(a, R"(["1","2","realtime:room","broadcast",{"type":"broadcast", "event":"e","payload":{"x":1.0}}])");
  auto expected = R"([null,null,"realtime:room","broadcast",{"type":"broadcast", "event":"e","payload":{"x":1.0}}])";
  CAF_CHECK(a.sink->take().empty());
  CAF_CHECK_EQUAL(b.sink->take(), strings{expected});
  send_text(b, R"(["1","2","realtime:room","broadcast",{"type":"broadcast","event":"f","payload":{}}])");
  CAF_CHECK_EQUAL(a.sink->take().size(), 1u);
  CAF_CHECK_EQUAL(b.sink->take().size(), 1u);
}

CAF_TEST(oversized broadcasts are refused with ack and never delivered) {
  auto a = connect();
  auto b = connect();
  send_text(a, R"(["1","1","realtime:room","phx_join",{"config":{"broadcast":{"ack":true}}}])");
  send_text(b, R"(["1","1","realtime:room","phx_join",{}])");
  a.sink->take();
  b.sink->take();
  std::string big(1001, 'x');
  send_text(a, R"(["1","2","realtime:room","broadcast",{"type":"broadcast","event":"e","payload":{"s":")"
                 + big + R"("}}])");
  CAF_CHECK_EQUAL(
    a.sink->take(),
    strings{R"(["1","2","realtime:room","phx_reply",{"status":"error","response":"payload_size_exceeded"}])"});
  CAF_CHECK(b.sink->take().empty());
}

CAF_TEST(user broadcasts reach v1 sockets as json and skip binary payloads) {
  auto a = connect(vsn::v2);
  auto b = connect(vsn::v1);
  send_text(a, R"(["1","1","realtime:r","phx_join",{}])");
  send_text(b, R"({"topic":"realtime:r","event":"phx_join","payload":{},"ref":"1"})");
  a.sink->take();
  b.sink->take();
  using namespace std::string_literals;
  send_binary(a, "\x03\x01\x01\x0a\x01\x00\x01" "12realtime:rm{\"a\":1}"s);
  CAF_CHECK_EQUAL(
    b.sink->take(),
    strings{
      R"({"topic":"realtime:r","event":"broadcast","payload":{"event":"m","payload":{"a":1},"type":"broadcast"},"ref":null})"});
  send_binary(a, "\x03\x01\x01\x0a\x01\x00\x00" "12realtime:rm\x01\x02"s);
  CAF_CHECK(b.sink->take().empty());
}

CAF_TEST(binary pushes on broadcast fan out as kind 2 to vsn 2 only) {
  auto a = connect(vsn::v2);
  auto b = connect(vsn::v2);
  auto c = connect(vsn::v1);
  send_text(a, R"(["1","1","realtime:r","phx_join",{}])");
  send_text(b, R"(["1","1","realtime:r","phx_join",{}])");
  send_text(c, R"({"topic":"realtime:r","event":"phx_join","payload":{},"ref":"1"})");
  a.sink->take();
  b.sink->take();
  c.sink->take();
  using namespace std::string_literals;
  send_binary(a, "\x00\x01\x01\x0a\x09" "12realtime:rbroadcast\x01\x02"s);
  CAF_CHECK_EQUAL(b.sink->take(), strings{"\x02\x0a\x09" "realtime:rbroadcast\x01\x02"s});
  CAF_CHECK(c.sink->take().empty());
  CAF_CHECK(a.sink->take().empty());
}

CAF_TEST(a bad refreshed token ends the channel with a system error) {
  auto c = connect();
  send_text(c, R"(["1","1","realtime:room","phx_join",{}])");
  c.sink->take();
  send_text(c, R"(["1","2","realtime:room","access_token",{"access_token":"not-a-jwt"}])");
  CAF_CHECK_EQUAL(
    c.sink->take(),
    (strings{
      R"(["1",null,"realtime:room","system",{"extension":"system","status":"error","message":"The token provided is not a valid JWT","channel":"room"}])",
      R"(["1","1","realtime:room","phx_close",{}])"}));
}

CAF_TEST(a token that expires mid-session ends the channel when its timer fires) {
  auto c = connect();
  auto token = make_token(1);
  send_text(c, R"(["1","1","realtime:room","phx_join",{"access_token":")" + token + R"("}])");
  auto joined = c.sink->take();
  CAF_REQUIRE_EQUAL(joined.size(), 1u);
  CAF_CHECK(joined[0].find(R"("status":"ok")") != std::string::npos);
  // The expiry check reads the wall clock; the timer runs on the test clock.
  std::this_thread::sleep_for(1100ms);
  sched.advance_time(999ms);
  sched.run();
  CAF_CHECK(c.sink->frames.empty());
  sched.advance_time(1ms);
  sched.run();
  auto frames = c.sink->take();
  CAF_REQUIRE_EQUAL(frames.size(), 2u);
  CAF_CHECK(frames[0].find(R"("system",{"extension":"system","status":"error","message":"Token has expired)")
            != std::string::npos);
  CAF_CHECK_EQUAL(frames[1], R"(["1","1","realtime:room","phx_close",{}])");
}

CAF_TEST(joins reuse the socket token check but still see it expire) {
  auto c = connect_verified(1);
  send_text(c, R"(["1","1","realtime:a","phx_join",{}])");
  auto first = c.sink->take();
  CAF_REQUIRE_EQUAL(first.size(), 1u);
  CAF_CHECK(first[0].find(R"("status":"ok")") != std::string::npos);
  std::this_thread::sleep_for(1100ms);
  send_text(c, R"(["2","2","realtime:b","phx_join",{}])");
  auto second = c.sink->take();
  CAF_REQUIRE_EQUAL(second.size(), 1u);
  CAF_CHECK(second[0].find(R"("status":"error","response":{"reason":"InvalidJWTToken: Token has expired)")
            != std::string::npos);
}

CAF_TEST(malformed frames get an error reply on the phoenix topic) {
  auto c = connect();
  send_text(c, "not json");
  CAF_CHECK_EQUAL(
    c.sink->take(),
    strings{
      R"([null,null,"phoenix","phx_reply",{"status":"error","response":{"reason":"malformed message"}}])"});
  CAF_CHECK_EQUAL(c.sink->consumed_count, 1u);
}

CAF_TEST(a closed connection ends the socket and all of its subscriptions) {
  auto c = connect();
  send_text(c, R"(["1","1","realtime:a","phx_join",{}])");
  send_text(c, R"(["2","2","realtime:b","phx_join",{}])");
  CAF_CHECK_EQUAL(stats().subscribers, 2u);
  caf::anon_send(c.socket, rt::actors::closed_atom::value);
  sched.run();
  CAF_CHECK_EQUAL(stats().subscribers, 0u);
  CAF_CHECK_EQUAL(stats().topics, 0u);
}

CAF_TEST_FIXTURE_SCOPE_END()
