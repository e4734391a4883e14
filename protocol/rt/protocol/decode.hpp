#pragma once

// Client frame -> message, for each serializer:
//
//   vsn 1.0.0 text  {"topic":T,"event":E,"payload":P,"ref":R[,"join_ref":J]}
//                   topic, event, payload and ref are required (ref may be null)
//   vsn 2.0.0 text  [J, R, T, E, P, ...]  (extra trailing elements ignored)
//   vsn 2.0.0 binary, first byte = kind, sizes are one unsigned byte each:
//     0 push            J_len R_len T_len E_len | J R T E | payload bytes
//     3 user broadcast  J_len R_len T_len UE_len M_len enc | J R T UE M | payload
//                       enc 0 = binary, 1 = JSON; metadata M is ignored
//
// Topic, event and refs are limited to 255 bytes in every format (the binary
// framing cannot carry more, so text is held to the same bound).

#include <string_view>

#include <tl/expected.hpp>

#include "rt/protocol/message.hpp"
#include "rt/protocol/vsn.hpp"

namespace rt::protocol {

/// Longest topic, event or ref accepted (a ref as written in JSON, quotes aside).
inline constexpr std::size_t max_field_bytes = 255;

/// Deepest nesting of arrays and objects accepted in a JSON frame or payload.
inline constexpr std::size_t max_json_depth = 256;

using decode_result = tl::expected<message, decode_failure>;

/// Decodes a text frame for a socket speaking `v`. The frame must already be
/// valid UTF-8 (the WebSocket layer checks that).
decode_result decode_text(vsn v, std::string_view frame);

/// Decodes a binary frame for a socket speaking `v`. Failures with
/// errc::binary_not_supported or errc::unknown_binary_kind mean the socket
/// should be closed (1003); other failures get an error reply.
decode_result decode_binary(vsn v, std::string_view frame);

} // namespace rt::protocol
