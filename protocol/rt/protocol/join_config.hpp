#pragma once

// Supabase Realtime's phx_join payload:
//
//   {"config": {"broadcast": {"self": bool, "ack": bool, "replication_ready": bool},
//               "presence": {"key": string, "enabled": bool},
//               "postgres_changes": [{"event","schema","table","filter",...}, ...],
//               "private": bool},
//    "access_token": "<jwt>"}        (legacy: "user_token")
//
// Booleans accept JSON booleans or the strings "true"/"false" in any case.
// Unknown keys are ignored; a value of the wrong type falls back to its
// default and is reported, and the join proceeds.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace rt::protocol {

/// The channel options a client asked for.
/// `config.broadcast.replay`: the private topic's stored broadcasts to push
/// after the join.
struct replay_request {
  /// False when `since` or `limit` is not an integer (Supabase's "Replay
  /// params are not valid").
  bool valid = false;
  /// Epoch milliseconds: messages inserted at or after it.
  std::int64_t since_ms = 0;
  /// How many of the newest, clamped to 1..25 (default 25).
  std::int64_t limit = 25;
};

/// The most messages one replay pushes.
inline constexpr std::int64_t max_replay_limit = 25;

struct join_config {
  /// Deliver the sender's own broadcasts back to it (default false).
  bool broadcast_self = false;
  /// Reply ok to each broadcast once published (default false).
  bool broadcast_ack = false;
  /// Ask for a system message once database replication is ready.
  bool replication_ready = false;
  /// Receive presence_state / presence_diff (default false).
  bool presence_enabled = false;
  /// Presence key; empty means "generate one".
  std::string presence_key;
  /// RLS-checked private channel (default false).
  bool is_private = false;
  /// Postgres changes bindings, each exactly as sent, null entries removed.
  boost::json::array postgres_changes;
  /// Per-channel token overriding the socket's; absent when not given or when
  /// it is a new-style `sb_...` API key (those are not JWTs).
  std::optional<std::string> access_token;
  /// Set when the join asked for a replay (any value, null included).
  bool replay_asked = false;
  /// The replay asked for when `config.broadcast.replay` is an object.
  std::optional<replay_request> replay;
};

/// Reads `payload` (any JSON; non-objects give defaults). Each value that had
/// the wrong type is described in `problems` when it is not null.
join_config parse_join_config(const boost::json::value& payload,
                              std::vector<std::string>* problems = nullptr);

/// Supabase's FlexibleBoolean: true/false, or "true"/"false" in any case.
std::optional<bool> flexible_bool(const boost::json::value& v);

/// The sub-topic of a `realtime:<sub>` topic (possibly empty), or nullopt for
/// topics outside the `realtime:` namespace.
std::optional<std::string_view> realtime_subtopic(std::string_view topic);

} // namespace rt::protocol
