#pragma once

// The one table of wire strings: event names, topics, reply statuses, reasons and
// the human-readable messages clients and users match on. Spelled exactly as
// Phoenix and Supabase Realtime spell them; nothing else in the code base may
// spell a wire string.

#include <cstdint>
#include <string_view>

namespace rt::protocol::wire {

// -- topics ---------------------------------------------------------------------

/// The socket-level topic that carries heartbeats.
inline constexpr std::string_view phoenix_topic = "phoenix";

/// Prefix of every Supabase Realtime channel topic.
inline constexpr std::string_view realtime_prefix = "realtime:";

// -- events ---------------------------------------------------------------------

inline constexpr std::string_view heartbeat = "heartbeat";
inline constexpr std::string_view phx_join = "phx_join";
inline constexpr std::string_view phx_leave = "phx_leave";
inline constexpr std::string_view phx_reply = "phx_reply";
inline constexpr std::string_view phx_close = "phx_close";
inline constexpr std::string_view phx_error = "phx_error";
inline constexpr std::string_view broadcast = "broadcast";
inline constexpr std::string_view presence = "presence";
inline constexpr std::string_view access_token = "access_token";
inline constexpr std::string_view system = "system";
inline constexpr std::string_view postgres_changes = "postgres_changes";
inline constexpr std::string_view presence_state = "presence_state";
inline constexpr std::string_view presence_diff = "presence_diff";

// -- reply statuses -------------------------------------------------------------

inline constexpr std::string_view status_ok = "ok";
inline constexpr std::string_view status_error = "error";

// -- Phoenix reasons (reply `{"reason": ...}`) -----------------------------------

inline constexpr std::string_view unmatched_topic = "unmatched topic";
inline constexpr std::string_view join_crashed = "join crashed";
inline constexpr std::string_view malformed_message = "malformed message";
inline constexpr std::string_view unhandled_event = "unhandled event";

// -- Supabase join error reasons (`<Code>: <message>`) ---------------------------

inline constexpr std::string_view topic_name_required =
  "TopicNameRequired: You must provide a topic name";
inline constexpr std::string_view too_many_channels =
  "ChannelRateLimitReached: Too many channels";
inline constexpr std::string_view too_many_joins =
  "ClientJoinRateLimitReached: Too many joins per second";
inline constexpr std::string_view postgres_changes_unavailable =
  "RealtimeDisabledForConfiguration: Postgres changes are disabled on this server";
inline constexpr std::string_view realtime_restarting =
  "RealtimeRestarting: Realtime is restarting, please standby";
inline constexpr std::string_view unknown_channel_error = "Unknown Error on Channel";
/// Join refusal of a private channel the client may not read; the sub-topic follows.
inline constexpr std::string_view unauthorized_read_prefix =
  "Unauthorized: You do not have permissions to read from this Channel topic: ";
/// Join refusals of `config.broadcast.replay`.
inline constexpr std::string_view replay_public =
  "UnableToReplayMessages: Replay is not allowed for public channels";
inline constexpr std::string_view replay_invalid =
  "UnableToReplayMessages: Replay params are not valid";
inline constexpr std::string_view replay_failed =
  "UnableToReplayMessages: Realtime was unable to replay messages";
/// Join refusal when the database cannot be asked about a private channel.
inline constexpr std::string_view unable_to_connect_to_project =
  "UnableToConnectToProject: Realtime was unable to connect to the project database";
/// System error ending a private channel whose permissions could not be asked again.
inline constexpr std::string_view msg_unable_to_connect_to_project =
  "Realtime was unable to connect to the project database";
/// System error ending a private channel whose policies no longer allow the
/// reading allowed before (a refreshed token); the sub-topic follows.
inline constexpr std::string_view read_revoked_prefix =
  "You no longer have permission to read from this Channel topic: ";
/// System error ending a private channel whose policies failed to run on a
/// refreshed token; the sub-topic follows.
inline constexpr std::string_view no_read_permission_prefix =
  "You do not have permissions to read from this Channel topic: ";

// Code prefixes for JWT failures at join.
inline constexpr std::string_view code_invalid_jwt = "InvalidJWTToken";
inline constexpr std::string_view code_malformed_jwt = "MalformedJWT";
inline constexpr std::string_view code_jwt_signature = "JwtSignatureError";
inline constexpr std::string_view code_jwt_signer = "JwtSignerError";

// -- JWT messages (connect bodies, join reasons, system messages) ---------------

inline constexpr std::string_view msg_api_key_missing = "API key is missing";
inline constexpr std::string_view msg_token_expired = "Token has expired";
inline constexpr std::string_view msg_missing_claims =
  "Fields `role` and `exp` are required in JWT";
inline constexpr std::string_view msg_malformed_jwt =
  "The token provided is not a valid JWT";
inline constexpr std::string_view msg_bad_signature = "Failed to validate JWT signature";
inline constexpr std::string_view msg_signer_error =
  "Failed to generate JWT signer, check your JWT secret or JWKS configuration";
/// The signer error naming a kid: head + the kid as Elixir's inspect prints it + tail.
inline constexpr std::string_view msg_signer_error_kid_head =
  "Failed to generate JWT signer for key ID (kid) ";
inline constexpr std::string_view msg_signer_error_kid_tail =
  ", check your JWT secret or JWKS configuration";
inline constexpr std::string_view msg_invalid_expiration =
  "Token expiration time is invalid";

// -- connect refusals (HTTP bodies `{"error": ...}`) ----------------------------

inline constexpr std::string_view msg_too_many_users = "Too many connected users";
inline constexpr std::string_view msg_too_many_joins = "Too many joins per second";
inline constexpr std::string_view msg_connect_error = "Error connecting to Realtime";

// -- broadcast ------------------------------------------------------------------

/// Ack reply `response` when a broadcast payload is over the size limit.
inline constexpr std::string_view payload_size_exceeded = "payload_size_exceeded";

// -- REST broadcast (POST /api/broadcast...; HTTP bodies) --------------------------

// Path segments: [/realtime/v1]/api/broadcast[/:topic/events/:event].
inline constexpr std::string_view rest_segment_realtime = "realtime";
inline constexpr std::string_view rest_segment_v1 = "v1";
inline constexpr std::string_view rest_segment_api = "api";
inline constexpr std::string_view rest_segment_events = "events";

// Keys of the batch body and of what subscribers receive.
inline constexpr std::string_view key_messages = "messages";
inline constexpr std::string_view key_topic = "topic";
inline constexpr std::string_view key_event = "event";
inline constexpr std::string_view key_payload = "payload";
inline constexpr std::string_view key_private = "private";
inline constexpr std::string_view key_id = "id";
inline constexpr std::string_view key_meta = "meta";
inline constexpr std::string_view key_type = "type";
/// Plug's key for a JSON body that is not an object.
inline constexpr std::string_view key_plug_json = "_json";
/// Key of a 422 body (Ecto changeset errors).
inline constexpr std::string_view key_errors = "errors";
/// Key of the other REST error bodies, {"message": ...}.
inline constexpr std::string_view key_message = "message";
/// Key of the 415 body, {"error": ...}.
inline constexpr std::string_view key_error = "error";

// Response headers of Supabase's RateLimiter plug.
inline constexpr std::string_view header_rate_rolling = "x-rate-rolling";
inline constexpr std::string_view header_rate_limit = "x-rate-limit";
inline constexpr std::string_view header_rate_remaining = "x-rate-limit-remaining";

// Ecto changeset error messages.
inline constexpr std::string_view changeset_blank = "can't be blank";
inline constexpr std::string_view changeset_invalid = "is invalid";
inline constexpr std::string_view changeset_payload_too_large = "Payload size exceeds tenant limit";

inline constexpr std::string_view rest_unauthorized = "Unauthorized";
inline constexpr std::string_view rest_too_many_requests = "Too many requests";
inline constexpr std::string_view rest_batch_too_large =
  "Too many messages to broadcast, please reduce the batch size";
inline constexpr std::string_view rest_unsupported_media_type =
  "Unsupported Media Type. Use application/json or application/octet-stream";
inline constexpr std::string_view rest_bad_request = "Bad Request";
inline constexpr std::string_view rest_too_large = "Request Entity Too Large";
inline constexpr std::string_view rest_method_not_allowed = "Method Not Allowed";
/// A private message whose write policy failed to run.
inline constexpr std::string_view rest_policy_error = "RLS policy error";
/// A private message whose policies could not be asked.
inline constexpr std::string_view rest_database_unavailable = "Tenant database unavailable";

// -- WebSocket close codes (RFC 6455 section 7.4.1) and our close reasons -------

inline constexpr std::uint16_t close_normal = 1000;
inline constexpr std::uint16_t close_going_away = 1001;
inline constexpr std::uint16_t close_protocol_error = 1002;
inline constexpr std::uint16_t close_unsupported = 1003;
/// Never sent: reported when a close frame carries no code.
inline constexpr std::uint16_t close_no_status = 1005;
inline constexpr std::uint16_t close_invalid_data = 1007;
inline constexpr std::uint16_t close_policy = 1008;
inline constexpr std::uint16_t close_too_big = 1009;

inline constexpr std::string_view reason_idle_timeout = "idle timeout";
inline constexpr std::string_view reason_slow_consumer = "slow consumer";
inline constexpr std::string_view reason_shutting_down = "server shutting down";

// -- system message extensions --------------------------------------------------

inline constexpr std::string_view extension_system = "system";
inline constexpr std::string_view extension_postgres_changes = "postgres_changes";

// -- Postgres Changes payloads ----------------------------------------------------

inline constexpr std::string_view change_insert = "INSERT";
inline constexpr std::string_view change_update = "UPDATE";
inline constexpr std::string_view change_delete = "DELETE";
/// `errors` entry of a change on a table without a primary key.
inline constexpr std::string_view change_error_no_primary_key =
  "Error 400: Bad Request, no primary key";
/// `errors` entry of a change whose record exceeded the size limit.
inline constexpr std::string_view change_error_too_large = "Error 413: Payload Too Large";

// -- postgres_changes binding filters (join errors) ----------------------------------

inline constexpr std::string_view filter_error_prefix = "Error parsing `filter` params: ";
inline constexpr std::string_view filter_error_empty_segment =
  "filter must not contain empty segments (check for extra commas)";
inline constexpr std::string_view filter_error_in_parentheses =
  "`in` filter value must be wrapped by parentheses";
inline constexpr std::string_view binding_error_no_params =
  "No subscription params provided. Please provide at least a `schema` or `table` to "
  "subscribe to: ";
inline constexpr std::string_view binding_error_select_not_a_list =
  "Error parsing `select` params: expected a list of column name strings, e.g. select: "
  "[\"col1\", \"col2\"]";
inline constexpr std::string_view binding_error_select_on_wildcard =
  "Column selection is not supported for wildcard subscriptions. Provide an explicit schema "
  "and table name.";

// -- postgres_changes subscription (system messages) ----------------------------------

/// Sent once a channel's bindings are live: changes committed after it arrive.
inline constexpr std::string_view changes_subscribed = "Subscribed to PostgreSQL";
/// Prefix of a binding that matched no published table.
inline constexpr std::string_view changes_error_no_tables =
  "Unable to subscribe to changes with given parameters. Please check Realtime is enabled "
  "for the given connect parameters: ";
/// Prefix of a binding PostgreSQL or the checks refused.
inline constexpr std::string_view changes_error_exception =
  "Unable to subscribe to changes with given parameters. An exception happened so please "
  "check your connect parameters: ";
/// The role may not read the table's primary key.
inline constexpr std::string_view changes_error_primary_key_hidden =
  "role %s cannot select the primary key of table %s";
/// The database went away; subscriptions stay and resume.
inline constexpr std::string_view changes_error_stream_lost =
  "Lost the replication connection to the database; retrying";
/// In a cluster: this node was cut off from the node streaming the slot
/// longer than it could be sent again what it missed.
inline constexpr std::string_view changes_error_missed =
  "Changes were missed while this node was cut off from the cluster";
/// The database could not be asked about the bindings; retried.
inline constexpr std::string_view changes_error_database_unavailable =
  "Unable to reach the database to subscribe; retrying";
/// Prefix of a row level security check that failed for a subscriber's
/// role and claims (a policy error, a role that does not exist, a timeout);
/// followed by the table and PostgreSQL's error. Those changes are dropped
/// for it; later ones are checked again.
inline constexpr std::string_view changes_error_row_check_failed =
  "Unable to check row level security for this subscription, so changes were not delivered: ";
/// The database could not be asked whether rows are visible (retried for a
/// while first): those changes were dropped for the subscriber.
inline constexpr std::string_view changes_error_row_check_unavailable =
  "Unable to reach the database to check row level security, so changes were not delivered";
/// The slot held back too much WAL and was recreated: changes were skipped.
inline constexpr std::string_view changes_error_slot_recreated =
  "The replication slot retained more WAL than allowed and was recreated; changes made "
  "meanwhile were not delivered";

// -- presence ------------------------------------------------------------------------

/// `type` of a client presence message.
inline constexpr std::string_view presence_type = "presence";
/// Client presence events (compared ignoring ASCII case).
inline constexpr std::string_view presence_track = "track";
inline constexpr std::string_view presence_untrack = "untrack";
/// Reply reason to a track whose payload is not an object.
inline constexpr std::string_view presence_payload_not_a_map =
  "Presence track payload must be a map";
/// System errors that end a channel (followed by phx_close).
inline constexpr std::string_view client_presence_rate_limited =
  "Client presence rate limit exceeded";
inline constexpr std::string_view presence_rate_limited = "Too many presence messages per second";
inline constexpr std::string_view track_size_exceeded = "Track message size exceeded";

} // namespace rt::protocol::wire
