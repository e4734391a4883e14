#pragma once

#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "rt/db/config.hpp"
#include "rt/protocol/jwk.hpp"

namespace rt {

using db::database_config;

/// Postgres Changes: the replication stream and what it may cost.
struct changes_config {
  /// POSTGRES_CHANGES: accept postgres_changes bindings at all.
  bool enabled = true;
  /// CREATE_PUBLICATION: create the publication when it does not exist
  /// (never done unasked on a user's database).
  bool create_publication = false;
  /// REPLICATION_START=eager: stream from startup instead of from the first
  /// subscription.
  bool start_eagerly = false;
  /// REPLICATION_MAX_PENDING_BYTES: changes read but not yet written to
  /// sockets; reading from PostgreSQL pauses above it.
  std::size_t max_pending_bytes = 16u << 20;
  /// POSTGRES_CHANGES_MAX_RECORD_BYTES: largest record sent whole (Supabase's
  /// poll_max_record_bytes); larger ones keep only short values and say 413.
  std::size_t max_record_bytes = 1u << 20;
  /// REPLICATION_MAX_RETAINED_WAL_BYTES: WAL the slot may hold back before it
  /// is dropped and created anew (subscribers are told); 0 never does that.
  std::int64_t max_retained_wal_bytes = 0;
};

/// Presence: limits and the tracker's gossip periods.
struct presence_config {
  /// PRESENCE_ENABLED: send presence_state to every channel after its join,
  /// not only to those whose join enabled presence (Supabase's tenant flag).
  bool enabled_for_all = false;
  /// CLIENT_PRESENCE_MAX_CALLS: presence messages one channel may send per window.
  std::size_t max_client_calls = 5;
  /// CLIENT_PRESENCE_WINDOW_MS: that window (fixed, starting at the first call).
  std::chrono::milliseconds client_window{30'000};
  /// TENANT_MAX_PRESENCE_EVENTS_PER_SECOND: tracks, presence_state pushes and
  /// presence_diff deliveries per second on this node, averaged over the last
  /// minute in 5 s ticks as Supabase averages them; above it tracks and syncs
  /// end their channel.
  std::size_t max_events_per_second = 1000;
  /// PRESENCE_BROADCAST_PERIOD_IN_MS: how often the tracker gossips its changes.
  std::chrono::milliseconds broadcast_period{1500};
  /// PRESENCE_PERMDOWN_PERIOD_IN_MS: a silent replica is forgotten after this.
  std::chrono::milliseconds permdown_period{1'200'000};
  /// NODE_NAME: this node's name in the presence replicas (empty: the host name).
  std::string node_name;
};

/// The `realtime` schema objects (realtime.messages, realtime.send, …).
struct schema_config {
  /// REALTIME_SCHEMA_UPKEEP: install and migrate them at startup and keep the
  /// daily message partitions, as Supabase's tenant migrations do.
  bool enabled = true;
  /// DB_BROADCAST: deliver rows inserted into realtime.messages to channels
  /// (database broadcast), streamed through a slot of their own.
  bool db_broadcast = true;
  /// MESSAGES_SLOT_NAME: that slot (permanent: a restart resumes from it).
  std::string messages_slot_name = "supabase_realtime_messages_replication_slot";
  /// AUTHORIZATION_POOL_SIZE: database sessions that check private channels'
  /// permissions, each on a thread of its own.
  std::size_t authorization_pool_size = 2;
};

/// One cluster address: a host (name or IP) and a port.
struct cluster_address {
  std::string host;
  std::uint16_t port = 0;
  friend bool operator==(const cluster_address&, const cluster_address&) = default;
  friend auto operator<=>(const cluster_address&, const cluster_address&) = default;
};

/// Clustering: nodes connected through CAF's middleman (BASP over TCP, or TLS
/// with certificates). Off while `port` is 0.
struct cluster_config {
  /// CLUSTER_PORT: where this node accepts other nodes; 0: no cluster.
  std::uint16_t port = 0;
  /// CLUSTER_HOST: the address to listen on and to tell the other nodes.
  std::string host = "127.0.0.1";
  /// CLUSTER_SEEDS: nodes to join through (host:port,...); this node's own
  /// address may be among them.
  std::vector<cluster_address> seeds;
  /// CLUSTER_SECRET: every node must present the same one (compared in
  /// constant time); empty accepts any node that can connect.
  std::string secret;
  /// CLUSTER_TLS_CERT, CLUSTER_TLS_KEY, CLUSTER_TLS_CA: this node's
  /// certificate and key, and the CA that signed every node's certificate.
  /// All three set: node connections use TLS and both sides must present a
  /// certificate signed by that CA.
  std::string tls_certificate;
  std::string tls_key;
  std::string tls_ca;
  /// CLUSTER_HEARTBEAT_MS: how often connected nodes send each other a sign
  /// of life (CAF's middleman heartbeat).
  std::chrono::milliseconds heartbeat{1000};
  /// CLUSTER_TIMEOUT_MS: a node silent this long is disconnected and seen as
  /// down (a frozen or partitioned node is noticed only through this).
  std::chrono::milliseconds timeout{5000};
  /// How often unreachable seeds and lost members are dialed again.
  std::chrono::milliseconds redial_period{1000};

  [[nodiscard]] bool enabled() const noexcept { return port != 0; }
  [[nodiscard]] bool tls() const noexcept {
    return !tls_certificate.empty() && !tls_key.empty() && !tls_ca.empty();
  }
};

/// Everything an endpoint can be told. Every default is the one Supabase
/// Realtime (or, where Supabase has none, Phoenix) uses unless stated.
struct endpoint_config {
  // -- listening ---------------------------------------------------------------

  /// BIND_ADDRESS: interface to listen on.
  std::string bind_address = "0.0.0.0";
  /// PORT: TCP port; 0 picks a free one (reported by the endpoint).
  std::uint16_t port = 4000;

  // -- threads -----------------------------------------------------------------

  /// IO_THREADS: threads running network I/O.
  std::size_t io_threads = 1;
  /// ACTOR_THREADS: CAF scheduler workers (sharing policy; stealing busy-polls).
  std::size_t actor_threads = 1;

  // -- authentication ----------------------------------------------------------

  /// API_JWT_SECRET or JWT_SECRET: HMAC secret for HS256/384/512 tokens.
  std::string jwt_secret;
  /// API_JWT_JWKS or API_JWT_JWKS_FILE: public keys for RS*, ES* and EdDSA
  /// tokens and `oct` secrets for HS* tokens naming a kid
  /// (protocol::jwk_set::parse); null for none.
  std::shared_ptr<const protocol::jwk_set> jwt_jwks;
  /// JWT_CLAIM_VALIDATORS: claims that must equal these values.
  boost::json::object jwt_claim_validators;

  // -- limits ------------------------------------------------------------------

  /// MAX_CONNECTIONS: open WebSockets per node; more get HTTP 429.
  std::size_t max_connections = 16384;
  /// TENANT_MAX_CHANNELS_PER_CLIENT: joined channels per socket.
  std::size_t max_channels_per_client = 100;
  /// TENANT_MAX_JOINS_PER_SECOND: joins per node in any one-second window.
  std::size_t max_joins_per_second = 100;
  /// TENANT_MAX_EVENTS_PER_SECOND: broadcast events per second on this node
  /// that the REST endpoints respect (their messages and those messages'
  /// deliveries; WebSocket broadcasts are not counted), averaged over the last
  /// minute in 5 s ticks as Supabase averages them; at the limit they answer 429.
  std::size_t max_events_per_second = 100;
  /// TENANT_MAX_PAYLOAD_SIZE_IN_KB: largest broadcast payload, in 1000 bytes.
  std::size_t max_payload_size_kb = 3000;
  /// WEBSOCKET_MAX_FRAME_SIZE: largest WebSocket message in bytes (Supabase's
  /// max_frame_size); larger ones close the socket with 1009.
  std::size_t max_frame_bytes = 5'000'000;
  /// WEBSOCKET_MAX_OUTBOUND_BYTES: bytes queued for one slow client before it
  /// is disconnected with 1008 (Phoenix has no bound; we must).
  std::size_t max_outbound_bytes = 8u << 20;
  /// Inbound messages handed to a socket's actor but not yet handled; reading
  /// from the client pauses at this many (TCP then slows the client down).
  std::size_t max_inbound_pending = 64;
  /// REST_MAX_BODY_BYTES: largest body of a REST broadcast request (413
  /// beyond); Plug's default body length, room for a payload at the default
  /// limit twice over. Other HTTP requests may carry at most 64 KiB.
  std::size_t max_rest_body_bytes = 8'000'000;
  /// Largest HTTP request head (request line plus headers) in bytes.
  std::size_t max_header_bytes = 8192;

  // -- timing ------------------------------------------------------------------

  /// WEBSOCKET_IDLE_TIMEOUT_MS: a socket silent this long is closed (1000).
  std::chrono::milliseconds idle_timeout{60'000};
  /// CONNECT_ERROR_BACKOFF_MS: delay before a refused upgrade is answered.
  std::chrono::milliseconds connect_error_backoff{2'000};
  /// CHANNEL_ERROR_BACKOFF_MS: delay before a join error reply is sent; the
  /// socket handles nothing else meanwhile, as in Phoenix.
  std::chrono::milliseconds channel_error_backoff{5'000};

  // -- database ----------------------------------------------------------------

  database_config database;
  changes_config changes;
  schema_config schema;
  presence_config presence;
  cluster_config cluster;

  /// Largest broadcast payload in bytes.
  std::size_t max_payload_bytes() const noexcept { return max_payload_size_kb * 1000; }
};

} // namespace rt
