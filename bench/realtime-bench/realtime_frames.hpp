#pragma once

// Client frames of the Phoenix / Supabase Realtime protocol, built as text
// without a JSON DOM:
//
//   vsn 2 text    [join_ref, ref, topic, event, payload]
//   vsn 1 text    {"topic":T,"event":E,"payload":P,"ref":R[,"join_ref":J]}
//   vsn 2 kind 3  0x03 J_len R_len T_len UE_len M_len enc J R T UE M payload
//
// Every join uses join_ref "1" and ref "1"; heartbeats use refs "h<n>";
// broadcasts use the mark's sequence number as ref.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bench {

/// The serializer a socket speaks.
enum class phx_vsn : std::uint8_t { v1, v2 };

/// The ref of every socket's first join (and its join_ref); further joins of
/// the same socket (codec::join_more) use "2", "3", ...
inline constexpr std::string_view join_ref = "1";

/// Appends a text message (without WebSocket framing) to `out`.
/// `quoted_topic` and `payload` are JSON text; `ref` is written as a JSON
/// string, or null when empty; `join` likewise.
void append_phx_text(std::string& out, phx_vsn vsn, std::string_view join,
                     std::string_view ref, std::string_view quoted_topic,
                     std::string_view event, std::string_view payload);

/// Appends a kind-3 user broadcast push with a JSON payload (no metadata).
/// Precondition: `join`, `ref`, `topic`, `user_event` are at most 255 bytes.
void append_user_broadcast_push(std::string& out, std::string_view join, std::string_view ref,
                                std::string_view topic, std::string_view user_event,
                                std::string_view json_payload);

/// What a join asks for besides its token.
struct join_spec {
  std::string_view postgres_changes = "[]";     ///< JSON array of bindings
  std::optional<std::string_view> presence_key; ///< presence on, with this key
  bool private_channel = false;                 ///< config.private: true
};

/// The join payload subscribers and publishers send: broadcast self=false,
/// ack=false, with `token` and `spec`'s postgres_changes bindings, presence
/// (off without a key) and private flag.
[[nodiscard]] std::string make_join_payload(std::string_view token, const join_spec& spec = {});

/// One postgres_changes binding as JSON text:
/// [{"event":E,"schema":S,"table":T[,"filter":F]}].
[[nodiscard]] std::string make_changes_binding(std::string_view event, std::string_view schema,
                                               std::string_view table, std::string_view filter);

} // namespace bench
