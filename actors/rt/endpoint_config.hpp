#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/json/object.hpp>

namespace rt {

/// Database the server streams changes from (used by Postgres changes).
struct database_config {
  /// DB_HOST: where PostgreSQL listens.
  std::string host = "127.0.0.1";
  /// DB_PORT.
  std::uint16_t port = 5432;
  /// DB_NAME.
  std::string name = "postgres";
  /// DB_USER: needs the REPLICATION attribute for logical replication.
  std::string user = "supabase_admin";
  /// DB_PASSWORD.
  std::string password;
  /// SLOT_NAME: the permanent logical replication slot of this server.
  std::string slot_name = "supabase_realtime_replication_slot";
  /// PUBLICATION: the publication whose tables are streamed.
  std::string publication = "supabase_realtime";
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
  /// JWT_CLAIM_VALIDATORS: claims that must equal these values.
  boost::json::object jwt_claim_validators;

  // -- limits ------------------------------------------------------------------

  /// MAX_CONNECTIONS: open WebSockets per node; more get HTTP 429.
  std::size_t max_connections = 16384;
  /// TENANT_MAX_CHANNELS_PER_CLIENT: joined channels per socket.
  std::size_t max_channels_per_client = 100;
  /// TENANT_MAX_JOINS_PER_SECOND: joins per node in any one-second window.
  std::size_t max_joins_per_second = 100;
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

  /// Largest broadcast payload in bytes.
  std::size_t max_payload_bytes() const noexcept { return max_payload_size_kb * 1000; }
};

} // namespace rt
