#include "rt/endpoint.hpp"

#include <algorithm>
#include <array>
#include <thread>

#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "rt/actors/authorizer.hpp"
#include "rt/actors/changes_messages.hpp"
#include "rt/actors/membership.hpp"
#include "rt/actors/message_stream.hpp"
#include "rt/actors/pubsub_actor.hpp"
#include "rt/actors/timer_service.hpp"
#include "rt/actors/tracker_actor.hpp"
#include "rt/actors/tracker_messages.hpp"
#include "rt/actors/realtime_channel.hpp"
#include "rt/actors/schema_upkeep.hpp"
#include "rt/protocol/events.hpp"
#include "rt/server/http_session.hpp"
#include "rt/server/runtime.hpp"

namespace rt {

namespace {

namespace asio = boost::asio;

actors::replication_slot_options slot_options(const actors::endpoint_context& ctx) {
  const auto& c = ctx.config.changes;
  actors::replication_slot_options o;
  o.database = ctx.config.database;
  o.start_eagerly = c.start_eagerly;
  o.reader.max_pending_bytes = c.max_pending_bytes;
  o.reader.max_record_bytes = c.max_record_bytes;
  o.reader.max_retained_bytes = c.max_retained_wal_bytes;
  o.reader.create_publication = c.create_publication;
  o.metrics = ctx.changes_metrics;
  return o;
}
using tcp = asio::ip::tcp;

// How long stop() waits for the replication stream to confirm and end.
constexpr auto stream_stop_limit = std::chrono::seconds{5};

// Ends the replication stream while the sockets are still open, so that what
// it confirms is what reached them (closing first would count frames dropped
// by closing sockets as delivered).
void stop_streaming(caf::actor_system& sys, const actors::endpoint_context& ctx) {
  if (!ctx.changes)
    return;
  caf::scoped_actor self{sys};
  self->request(ctx.changes, stream_stop_limit, actors::stop_streaming_atom::value)
    .receive([](bool) {},
             [](caf::error& e) { spdlog::warn("replication: stop: {}", caf::to_string(e)); });
}

std::string host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0)
    return "localhost";
  return name.data();
}

actors::message_stream_options message_options(const actors::endpoint_context& ctx) {
  actors::message_stream_options o;
  o.database = ctx.config.database;
  o.database.slot_name = ctx.config.schema.messages_slot_name;
  o.reader.max_pending_bytes = ctx.config.changes.max_pending_bytes;
  o.reader.max_record_bytes = ctx.config.changes.max_record_bytes;
  o.reader.max_retained_bytes = ctx.config.changes.max_retained_wal_bytes;
  // At startup the publication appears with the schema's migration, moments
  // after the first attempt: retry often enough to stream soon after it.
  o.reader.max_backoff = std::chrono::seconds{5};
  o.pubsub = ctx.pubsub;
  o.max_payload_bytes = ctx.config.max_payload_bytes();
  return o;
}

// The node's name in the cluster and in presence replicas: NODE_NAME, else
// the cluster address (unique among the nodes), else the host name.
std::string node_name(const endpoint_config& cfg) {
  if (!cfg.presence.node_name.empty())
    return cfg.presence.node_name;
  if (cfg.cluster.enabled())
    return cfg.cluster.host + ':' + std::to_string(cfg.cluster.port);
  return host_name();
}

actors::tracker_options tracker_options(const actors::endpoint_context& ctx) {
  const auto& p = ctx.config.presence;
  presence::gossip_settings gossip;
  gossip.broadcast_period = p.broadcast_period;
  // Phoenix.Tracker's rule: down after twice the longest silence allowed.
  gossip.down_period = p.broadcast_period * gossip.max_silent_periods * 2;
  gossip.permdown_period = std::max(p.permdown_period, gossip.down_period);
  return {actors::new_replica(node_name(ctx.config)), gossip, ctx.pubsub, ctx.presence_events};
}

// Spawns the membership actor and publishes it on the cluster port.
tl::expected<void, std::string> join_cluster(caf::actor_system& sys, actors::endpoint_context& ctx) {
  const auto& c = ctx.config.cluster;
  if (!c.enabled())
    return {};
  if (!sys.has_middleman() || (c.tls() && !sys.has_openssl_manager()))
    return tl::unexpected{std::string{"clustering needs the actor system prepared by "
                                      "rt::prepare_cluster"}};
  actors::membership_options o;
  o.card = {node_name(ctx.config), c.host, c.port, {}, ctx.pubsub, ctx.tracker, ctx.changes};
  o.seeds = c.seeds;
  o.secret = c.secret;
  o.tls = c.tls();
  o.redial_period = c.redial_period;
  o.forget_after = ctx.config.presence.permdown_period;
  o.member_count = ctx.cluster_members;
  ctx.membership = actors::spawn_membership(sys, std::move(o));
  auto bound = c.tls() ? caf::openssl::publish(ctx.membership, c.port, c.host.c_str(), true)
                       : sys.middleman().publish(ctx.membership, c.port, c.host.c_str(), true);
  if (!bound)
    return tl::unexpected{"cannot listen for cluster nodes on " + c.host + ":"
                          + std::to_string(c.port) + ": " + sys.render(bound.error())};
  spdlog::info("cluster: node {} accepts nodes on {}:{}{}", node_name(ctx.config), c.host,
               *bound, c.tls() ? " (TLS)" : "");
  return {};
}

// Ends the node-wide actors; the tracker tells its peers it is leaving first.
void exit_node_actors(const actors::endpoint_context& ctx) {
  caf::anon_send(ctx.tracker, actors::tracker_leave_atom::value);
  for (const auto& a : {ctx.membership, ctx.tracker, ctx.pubsub, ctx.timers, ctx.changes,
                        ctx.schema, ctx.messages})
    if (a)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  for (const auto& a : ctx.authorizers)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

// How long stop() lets close frames drain before the threads end.
constexpr auto drain_time = std::chrono::milliseconds{500};

} // namespace

struct endpoint::impl {
  impl(caf::actor_system& sys, std::shared_ptr<actors::endpoint_context> ctx)
    : rt(std::make_shared<server::runtime>(sys, std::move(ctx))) {}

  std::shared_ptr<server::runtime> rt; // first member: outlives the acceptor
  std::unique_ptr<tcp::acceptor> acceptor;
  std::size_t next_shard = 0;
  std::uint16_t port = 0;
  bool stopped = false;

  void accept_next();
  tl::expected<void, std::string> listen();
  void run_threads();
};

void endpoint::impl::accept_next() {
  auto& shards = rt->shards;
  auto& shard = *shards[next_shard];
  next_shard = (next_shard + 1) % shards.size();
  acceptor->async_accept(shard.io, [this, &shard](const boost::system::error_code& ec,
                                                  tcp::socket socket) {
    if (ec == asio::error::operation_aborted)
      return;
    if (!ec)
      std::make_shared<server::http_session>(rt, shard, std::move(socket))->start();
    else
      spdlog::warn("accept failed: {}", ec.message());
    accept_next();
  });
}

tl::expected<void, std::string> endpoint::impl::listen() {
  auto& cfg = rt->ctx->config;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(cfg.bind_address, ec);
  if (ec)
    return tl::unexpected{"invalid bind address " + cfg.bind_address};
  tcp::endpoint where{address, cfg.port};
  acceptor = std::make_unique<tcp::acceptor>(rt->shards.front()->io);
  acceptor->open(where.protocol(), ec);
  if (!ec)
    acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec)
    acceptor->bind(where, ec);
  if (!ec)
    acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return tl::unexpected{"cannot listen on " + cfg.bind_address + ":"
                          + std::to_string(cfg.port) + ": " + ec.message()};
  port = acceptor->local_endpoint().port();
  return {};
}

void endpoint::impl::run_threads() {
  for (auto& shard : rt->shards)
    shard->thread = std::thread{[s = shard.get()] { s->io.run(); }};
}

endpoint::endpoint(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
endpoint::endpoint(endpoint&&) noexcept = default;
endpoint& endpoint::operator=(endpoint&&) noexcept = default;

endpoint::~endpoint() {
  stop();
}

tl::expected<endpoint, std::string> endpoint::start(caf::actor_system& sys,
                                                    endpoint_config cfg,
                                                    std::vector<channel_route> routes) {
  auto threads = std::max<std::size_t>(cfg.io_threads, 1);
  auto ctx = std::make_shared<actors::endpoint_context>(std::move(cfg));
  ctx->pubsub = actors::spawn_pubsub(sys);
  ctx->timers = actors::spawn_timer_service(sys);
  ctx->tracker = actors::spawn_tracker(sys, tracker_options(*ctx));
  if (ctx->config.schema.enabled)
    ctx->schema = actors::spawn_schema_upkeep(sys, ctx->config.database);
  if (ctx->config.changes.enabled)
    ctx->changes = actors::spawn_replication_slot(sys, slot_options(*ctx));
  if (ctx->config.schema.db_broadcast)
    ctx->messages = actors::spawn_message_stream(sys, message_options(*ctx));
  for (std::size_t i = 0; i < ctx->config.schema.authorization_pool_size; ++i)
    ctx->authorizers.push_back(actors::spawn_authorizer(sys, ctx->config.database));
  ctx->routes = std::move(routes);
  ctx->routes.push_back(actors::realtime_route(ctx));
  if (auto joined = join_cluster(sys, *ctx); !joined) {
    exit_node_actors(*ctx);
    return tl::unexpected{joined.error()};
  }
  auto p = std::make_unique<impl>(sys, std::move(ctx));
  for (std::size_t i = 0; i < threads; ++i)
    p->rt->shards.push_back(std::make_unique<server::io_shard>());
  if (auto ok = p->listen(); !ok) {
    exit_node_actors(*p->rt->ctx);
    return tl::unexpected{ok.error()};
  }
  p->accept_next();
  p->run_threads();
  return endpoint{std::move(p)};
}

std::uint16_t endpoint::port() const noexcept {
  return impl_ ? impl_->port : 0;
}

void endpoint::stop() {
  if (!impl_ || impl_->stopped)
    return;
  impl_->stopped = true;
  auto& rt = *impl_->rt;
  auto& ctx = *rt.ctx;
  ctx.stopping = true;
  asio::post(rt.shards.front()->io, [a = impl_->acceptor.get()] {
    boost::system::error_code ignored;
    a->close(ignored);
  });
  stop_streaming(rt.system, ctx);
  rt.close_all(protocol::wire::close_going_away,
               std::string{protocol::wire::reason_shutting_down});
  std::this_thread::sleep_for(drain_time);
  rt.shut_down_all();
  // With every socket closed the threads run out of work and return.
  for (auto& shard : rt.shards)
    shard->work.reset();
  for (auto& shard : rt.shards)
    if (shard->thread.joinable())
      shard->thread.join();
  for (auto& shard : rt.shards)
    shard->forget_scheduled();
  exit_node_actors(ctx);
}

} // namespace rt
