#pragma once

// Server -> client frames for each serializer. Every function returns a whole
// WebSocket frame ready to be shared by all recipients.
//
//                    vsn 1.0.0 (object; never a join_ref)        vsn 2.0.0 (array)
//   reply            {"topic","event":"phx_reply",                 [J,R,T,"phx_reply",
//                     "payload":{"status","response"},"ref":R}       {"status","response"}]
//   push             {"topic","event","payload","ref":null}        [J,null,T,E,P]
//   phx_close/error  {"topic","event","payload":{},"ref":J}        [J,J,T,E,{}]
//   broadcast        {"topic","event","payload","ref":null}        [null,null,T,E,P]
//   user broadcast   broadcast of {"event","payload","type"[,"meta"]}   binary kind 4:
//                    (JSON payloads only)                            T_len UE_len M_len enc | T UE M | payload
//
// Binary payloads (Phoenix's `{:binary, data}`) exist only in vsn 2:
//   kind 0 push       J_len T_len E_len | J T E | data          (no ref)
//   kind 1 reply      J_len R_len T_len S_len | J R T S | data
//   kind 2 broadcast  T_len E_len | T E | data

#include <string_view>

#include "rt/protocol/message.hpp"
#include "rt/protocol/vsn.hpp"
#include "rt/protocol/wire_frame.hpp"

namespace rt::protocol {

/// Reply to the message with `ref`. `response_json` is the JSON text of the
/// `response` value.
shared_frame encode_reply(vsn v, const ref_value& join_ref, const ref_value& ref,
                          std::string_view topic, std::string_view status,
                          std::string_view response_json);

/// The JSON text `{"reason": reason}`.
std::string reason_json(std::string_view reason);

/// The payload of a `system` message:
/// {"extension":..,"status":..,"message":..,"channel":<sub-topic>}.
std::string system_payload(std::string_view extension, std::string_view status,
                           std::string_view message, std::string_view channel);

/// Error reply whose response is `{"reason": reason}`.
shared_frame encode_error_reply(vsn v, const ref_value& join_ref, const ref_value& ref,
                                std::string_view topic, std::string_view reason);

/// A channel's own push (ref null). `payload_json` must be JSON text.
shared_frame encode_push(vsn v, const ref_value& join_ref, std::string_view topic,
                         std::string_view event, std::string_view payload_json);

/// phx_close or phx_error for the join `join_ref` (payload `{}`).
shared_frame encode_channel_signal(vsn v, const ref_value& join_ref,
                                   std::string_view topic, std::string_view event);

/// Fan-out broadcast (no join_ref, no ref). `payload_json` must be JSON text.
shared_frame encode_broadcast(vsn v, std::string_view topic, std::string_view event,
                              std::string_view payload_json);

/// Binary push (kind 0); nullptr on vsn 1 or when a field exceeds 255 bytes.
shared_frame encode_binary_push(vsn v, const ref_value& join_ref, std::string_view topic,
                                std::string_view event, std::string_view data);

/// Binary reply (kind 1); nullptr on vsn 1 or when a field exceeds 255 bytes.
shared_frame encode_binary_reply(vsn v, const ref_value& join_ref, const ref_value& ref,
                                 std::string_view topic, std::string_view status,
                                 std::string_view data);

/// Binary broadcast (kind 2); nullptr on vsn 1 or when a field exceeds 255 bytes.
shared_frame encode_binary_broadcast(vsn v, std::string_view topic, std::string_view event,
                                     std::string_view data);

/// Supabase user broadcast. vsn 2: binary kind 4, or a text broadcast when a
/// field is too long for kind 4 and the payload is JSON. vsn 1: a text
/// broadcast for JSON payloads. nullptr when the socket cannot receive it
/// (binary payload on vsn 1, or on vsn 2 with an over-long field).
/// `meta_json` is a JSON object's text, or empty for none.
shared_frame encode_user_broadcast(vsn v, std::string_view topic,
                                   const user_broadcast_payload& body,
                                   std::string_view meta_json);

/// The JSON text `{"event":E,"payload":P,"type":"broadcast"[,"meta":M]}` a
/// text-only client receives for a JSON user broadcast.
std::string user_broadcast_as_json(const user_broadcast_payload& body,
                                   std::string_view meta_json);

} // namespace rt::protocol
