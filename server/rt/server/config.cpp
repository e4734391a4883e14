#include "rt/server/config.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>

#include <CLI/CLI.hpp>
#include <boost/json/parse.hpp>

#include "rt/db/wal_stream.hpp"
#include "rt/server/tls_check.hpp"

namespace rt::server {

namespace {

// Binds a millisecond option to a chrono field.
void add_millis(CLI::App& app, const std::string& flag, std::chrono::milliseconds& field,
                const std::string& env, const std::string& help) {
  app
    .add_option_function<long long>(
      flag, [&field](long long v) { field = std::chrono::milliseconds{v}; }, help)
    ->envname(env)
    ->check(CLI::NonNegativeNumber)
    ->default_str(std::to_string(field.count()));
}

void add_listen_options(CLI::App& app, endpoint_config& cfg) {
  app.add_option("--bind", cfg.bind_address, "Address to listen on")
    ->envname("BIND_ADDRESS")
    ->capture_default_str();
  app.add_option("--port", cfg.port, "TCP port (0 picks a free one)")
    ->envname("PORT")
    ->capture_default_str();
  app.add_option("--io-threads", cfg.io_threads, "Network threads")
    ->envname("IO_THREADS")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  app.add_option("--actor-threads", cfg.actor_threads, "Actor scheduler threads")
    ->envname("ACTOR_THREADS")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
}

void add_auth_options(CLI::App& app, endpoint_config& cfg, process_options& proc) {
  app.add_option("--jwt-secret", cfg.jwt_secret,
                 "HMAC secret for client JWTs (env API_JWT_SECRET or JWT_SECRET)");
  app.add_option("--jwt-jwks", proc.jwks_json,
                 "JSON Web Key Set {\"keys\":[...]} for RS*, ES*, EdDSA tokens and HS* tokens with a kid")
    ->envname("API_JWT_JWKS");
  app.add_option("--jwt-jwks-file", proc.jwks_file, "File holding the JSON Web Key Set")
    ->envname("API_JWT_JWKS_FILE");
  app.add_option("--jwt-claim-validators", proc.claim_validators_json,
                 "JSON object of claims every token must carry with these values")
    ->envname("JWT_CLAIM_VALIDATORS")
    ->capture_default_str();
}

void add_limit_options(CLI::App& app, endpoint_config& cfg) {
  app.add_option("--max-connections", cfg.max_connections, "Open WebSockets per node")
    ->envname("MAX_CONNECTIONS")
    ->capture_default_str();
  app.add_option("--max-channels-per-client", cfg.max_channels_per_client,
                 "Joined channels per socket")
    ->envname("TENANT_MAX_CHANNELS_PER_CLIENT")
    ->capture_default_str();
  app.add_option("--max-joins-per-second", cfg.max_joins_per_second,
                 "Channel joins per node per second")
    ->envname("TENANT_MAX_JOINS_PER_SECOND")
    ->capture_default_str();
  app.add_option("--max-events-per-second", cfg.max_events_per_second,
                 "Broadcast events per second the REST endpoints respect (one-minute average)")
    ->envname("TENANT_MAX_EVENTS_PER_SECOND")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  app.add_option("--max-rest-body-bytes", cfg.max_rest_body_bytes,
                 "Largest body of a REST broadcast request (413 beyond)")
    ->envname("REST_MAX_BODY_BYTES")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  app.add_option("--max-payload-size-kb", cfg.max_payload_size_kb,
                 "Largest broadcast payload, in units of 1000 bytes")
    ->envname("TENANT_MAX_PAYLOAD_SIZE_IN_KB")
    ->capture_default_str();
  app.add_option("--max-frame-size", cfg.max_frame_bytes, "Largest WebSocket message, bytes")
    ->envname("WEBSOCKET_MAX_FRAME_SIZE")
    ->capture_default_str();
  app.add_option("--outbound-queue-bytes", cfg.max_outbound_bytes,
                 "Bytes queued for a slow client before it is disconnected")
    ->envname("WEBSOCKET_MAX_OUTBOUND_BYTES")
    ->capture_default_str();
}

void add_timing_options(CLI::App& app, endpoint_config& cfg) {
  add_millis(app, "--idle-timeout-ms", cfg.idle_timeout, "WEBSOCKET_IDLE_TIMEOUT_MS",
             "Close sockets silent for this long");
  add_millis(app, "--connect-error-backoff-ms", cfg.connect_error_backoff,
             "CONNECT_ERROR_BACKOFF_MS", "Delay before a refused upgrade is answered");
  add_millis(app, "--channel-error-backoff-ms", cfg.channel_error_backoff,
             "CHANNEL_ERROR_BACKOFF_MS", "Delay before a join error is answered");
}

void add_database_options(CLI::App& app, database_config& db) {
  app.add_option("--db-host", db.host, "PostgreSQL host")->envname("DB_HOST")->capture_default_str();
  app.add_option("--db-port", db.port, "PostgreSQL port")->envname("DB_PORT")->capture_default_str();
  app.add_option("--db-name", db.name, "Database name")->envname("DB_NAME")->capture_default_str();
  app.add_option("--db-user", db.user, "Database user")->envname("DB_USER")->capture_default_str();
  app.add_option("--db-password", db.password, "Database password")->envname("DB_PASSWORD");
  app.add_option("--slot-name", db.slot_name, "Logical replication slot")
    ->envname("SLOT_NAME")
    ->capture_default_str();
  app.add_option("--publication", db.publication, "Publication to stream")
    ->envname("PUBLICATION")
    ->capture_default_str();
}

void add_changes_options(CLI::App& app, changes_config& c) {
  app.add_option("--postgres-changes", c.enabled, "Serve postgres_changes bindings")
    ->envname("POSTGRES_CHANGES")
    ->capture_default_str();
  app.add_flag("--create-publication", c.create_publication,
               "Create the publication when it does not exist")
    ->envname("CREATE_PUBLICATION");
  app.add_flag("--replicate-from-start", c.start_eagerly,
               "Stream changes from startup, not from the first subscription")
    ->envname("REPLICATION_START_EAGERLY");
  app.add_option("--replication-max-pending-bytes", c.max_pending_bytes,
                 "Changes read but not yet written to sockets before reading pauses")
    ->envname("REPLICATION_MAX_PENDING_BYTES")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  app.add_option("--max-record-bytes", c.max_record_bytes,
                 "Largest change record sent whole (larger ones say 413)")
    ->envname("POSTGRES_CHANGES_MAX_RECORD_BYTES")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  app.add_option("--max-retained-wal-bytes", c.max_retained_wal_bytes,
                 "WAL the slot may hold back before it is recreated (0: never)")
    ->envname("REPLICATION_MAX_RETAINED_WAL_BYTES")
    ->check(CLI::NonNegativeNumber)
    ->capture_default_str();
}

void add_schema_options(CLI::App& app, schema_config& s) {
  app.add_option("--realtime-schema-upkeep", s.enabled,
                 "Install and migrate the realtime schema objects and keep message partitions")
    ->envname("REALTIME_SCHEMA_UPKEEP")
    ->capture_default_str();
  app.add_option("--db-broadcast", s.db_broadcast,
                 "Deliver rows inserted into realtime.messages to channels")
    ->envname("DB_BROADCAST")
    ->capture_default_str();
  app.add_option("--messages-slot-name", s.messages_slot_name,
                 "Replication slot of database broadcast")
    ->envname("MESSAGES_SLOT_NAME")
    ->capture_default_str();
  app.add_option("--authorization-pool-size", s.authorization_pool_size,
                 "Database sessions checking private channels' permissions")
    ->envname("AUTHORIZATION_POOL_SIZE")
    ->check(CLI::Range(1, 64))
    ->capture_default_str();
}

void add_presence_options(CLI::App& app, presence_config& p) {
  app.add_option("--presence-enabled", p.enabled_for_all,
                 "Send presence_state after every join, enabled by the client or not")
    ->envname("PRESENCE_ENABLED")
    ->capture_default_str();
  app.add_option("--client-presence-max-calls", p.max_client_calls,
                 "Presence messages one channel may send per window")
    ->envname("CLIENT_PRESENCE_MAX_CALLS")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  add_millis(app, "--client-presence-window-ms", p.client_window, "CLIENT_PRESENCE_WINDOW_MS",
             "Window of the per-channel presence limit");
  app.add_option("--max-presence-events-per-second", p.max_events_per_second,
                 "Presence events per second on this node (one-minute average)")
    ->envname("TENANT_MAX_PRESENCE_EVENTS_PER_SECOND")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  add_millis(app, "--presence-broadcast-period-ms", p.broadcast_period,
             "PRESENCE_BROADCAST_PERIOD_IN_MS", "How often presence changes are gossiped");
  add_millis(app, "--presence-permdown-period-ms", p.permdown_period,
             "PRESENCE_PERMDOWN_PERIOD_IN_MS", "A silent presence replica is forgotten after this");
  app.add_option("--node-name", p.node_name, "This node's name (default: the host name)")
    ->envname("NODE_NAME");
}

void add_cluster_options(CLI::App& app, cluster_config& c, process_options& proc) {
  app.add_option("--cluster-port", c.port, "Port accepting other nodes (0: no cluster)")
    ->envname("CLUSTER_PORT")
    ->capture_default_str();
  app.add_option("--cluster-host", c.host, "Address to accept nodes on and to tell them")
    ->envname("CLUSTER_HOST")
    ->capture_default_str();
  app.add_option("--cluster-seeds", proc.cluster_seeds, "Nodes to join through: host:port,...")
    ->envname("CLUSTER_SEEDS");
  app.add_option("--cluster-secret", c.secret, "Secret every node of the cluster shares")
    ->envname("CLUSTER_SECRET");
  app.add_option("--cluster-tls-cert", c.tls_certificate, "This node's certificate (PEM)")
    ->envname("CLUSTER_TLS_CERT");
  app.add_option("--cluster-tls-key", c.tls_key, "This node's private key (PEM)")
    ->envname("CLUSTER_TLS_KEY");
  app.add_option("--cluster-tls-ca", c.tls_ca, "CA certificate that signed every node's")
    ->envname("CLUSTER_TLS_CA");
  add_millis(app, "--cluster-heartbeat-ms", c.heartbeat, "CLUSTER_HEARTBEAT_MS",
             "Sign of life between connected nodes");
  add_millis(app, "--cluster-timeout-ms", c.timeout, "CLUSTER_TIMEOUT_MS",
             "A node silent this long is down");
}

tl::expected<void, std::string> check_cluster(cluster_config& c, const process_options& proc) {
  auto seeds = parse_cluster_seeds(proc.cluster_seeds);
  if (!seeds)
    return tl::unexpected{seeds.error()};
  c.seeds = std::move(*seeds);
  if (!c.enabled())
    return {};
  auto tls_parts = !c.tls_certificate.empty() + !c.tls_key.empty() + !c.tls_ca.empty();
  if (tls_parts != 0 && tls_parts != 3)
    return tl::unexpected{std::string{
      "CLUSTER_TLS_CERT, CLUSTER_TLS_KEY and CLUSTER_TLS_CA go together"}};
  if (c.heartbeat.count() == 0 || c.timeout <= c.heartbeat)
    return tl::unexpected{std::string{
      "CLUSTER_HEARTBEAT_MS must be positive and below CLUSTER_TIMEOUT_MS"}};
  if (c.tls())
    return check_cluster_tls(c);
  return {};
}

// The JWKS from --jwt-jwks or --jwt-jwks-file (not both); null for none.
tl::expected<std::shared_ptr<const protocol::jwk_set>, std::string>
read_jwks(const process_options& proc) {
  if (!proc.jwks_json.empty() && !proc.jwks_file.empty())
    return tl::unexpected{std::string{"give API_JWT_JWKS or API_JWT_JWKS_FILE, not both"}};
  std::string text = proc.jwks_json;
  if (!proc.jwks_file.empty()) {
    std::ifstream in{proc.jwks_file, std::ios::binary};
    if (!in)
      return tl::unexpected{"cannot read API_JWT_JWKS_FILE " + proc.jwks_file};
    text.assign(std::istreambuf_iterator<char>{in}, {});
  }
  if (text.empty())
    return std::shared_ptr<const protocol::jwk_set>{};
  auto set = protocol::jwk_set::parse(text);
  if (!set)
    return tl::unexpected{"JWKS: " + set.error()};
  return std::make_shared<const protocol::jwk_set>(std::move(*set));
}

} // namespace

void add_serve_options(CLI::App& app, endpoint_config& cfg, process_options& proc) {
  add_listen_options(app, cfg);
  add_auth_options(app, cfg, proc);
  add_limit_options(app, cfg);
  add_timing_options(app, cfg);
  add_database_options(app, cfg.database);
  add_changes_options(app, cfg.changes);
  add_schema_options(app, cfg.schema);
  add_presence_options(app, cfg.presence);
  add_cluster_options(app, cfg.cluster, proc);
  app.add_option("--log-level", proc.log_level, "trace|debug|info|warn|error|critical|off")
    ->envname("LOG_LEVEL")
    ->capture_default_str();
}

tl::expected<void, std::string> finish_config(endpoint_config& cfg,
                                              const process_options& proc) {
  for (auto* name : {"API_JWT_SECRET", "JWT_SECRET"}) {
    if (!cfg.jwt_secret.empty())
      break;
    if (auto* v = std::getenv(name))
      cfg.jwt_secret = v;
  }
  if (auto jwks = read_jwks(proc); !jwks)
    return tl::unexpected{jwks.error()};
  else
    cfg.jwt_jwks = std::move(*jwks);
  if (cfg.jwt_secret.empty() && !cfg.jwt_jwks)
    return tl::unexpected{std::string{
      "no JWT secret nor JWKS: set API_JWT_SECRET (or JWT_SECRET) or API_JWT_JWKS, or pass "
      "--jwt-secret or --jwt-jwks"}};
  boost::system::error_code ec;
  auto validators = boost::json::parse(proc.claim_validators_json, ec);
  if (ec || !validators.is_object())
    return tl::unexpected{std::string{"JWT_CLAIM_VALIDATORS must be a JSON object"}};
  cfg.jwt_claim_validators = std::move(validators.get_object());
  if (!db::valid_slot_name(cfg.database.slot_name))
    return tl::unexpected{std::string{
      "SLOT_NAME may hold only lower-case letters, digits and underscores (at most 63)"}};
  if (!db::valid_publication_name(cfg.database.publication))
    return tl::unexpected{std::string{
      "PUBLICATION may hold only letters, digits and underscores (at most 63)"}};
  if (cfg.max_frame_bytes == 0 || cfg.max_outbound_bytes == 0)
    return tl::unexpected{std::string{"frame and queue sizes must be positive"}};
  if (cfg.presence.broadcast_period.count() == 0 || cfg.presence.client_window.count() == 0)
    return tl::unexpected{std::string{
      "PRESENCE_BROADCAST_PERIOD_IN_MS and CLIENT_PRESENCE_WINDOW_MS must be positive"}};
  return check_cluster(cfg.cluster, proc);
}

tl::expected<std::vector<cluster_address>, std::string> parse_cluster_seeds(std::string_view text) {
  std::vector<cluster_address> seeds;
  auto bad = [](std::string_view entry) {
    return tl::unexpected{"CLUSTER_SEEDS: \"" + std::string{entry}
                          + "\" is not host:port (IPv6 as [addr]:port)"};
  };
  while (!text.empty()) {
    auto comma = text.find(',');
    auto entry = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    while (!entry.empty() && entry.front() == ' ')
      entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ')
      entry.remove_suffix(1);
    if (entry.empty())
      continue;
    auto colon = entry.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == entry.size())
      return bad(entry);
    auto host = entry.substr(0, colon);
    if (host.front() == '[') {
      if (host.size() < 3 || host.back() != ']')
        return bad(entry);
      host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
      return bad(entry);
    }
    unsigned port = 0;
    for (char ch : entry.substr(colon + 1)) {
      if (ch < '0' || ch > '9' || (port = port * 10 + unsigned(ch - '0')) > 65535)
        return bad(entry);
    }
    if (port == 0)
      return bad(entry);
    seeds.push_back({std::string{host}, static_cast<std::uint16_t>(port)});
  }
  return seeds;
}

} // namespace rt::server
