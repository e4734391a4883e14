#pragma once

#include <string_view>

#include <tl/expected.hpp>

namespace rt::protocol {

/// Everything that can go wrong while reading or checking client input.
enum class errc {
  /// A text frame is not valid JSON.
  malformed_json = 1,
  /// Valid JSON (or binary) that is not a Phoenix message of this version.
  malformed_message,
  /// A topic, event or ref longer than the protocol allows (255 bytes).
  field_too_long,
  /// A binary frame whose first byte is not a client kind (0 or 3).
  unknown_binary_kind,
  /// A binary frame on a socket that negotiated vsn 1.0.0.
  binary_not_supported,
  /// A user-broadcast frame whose payload encoding is neither 0 nor 1.
  invalid_payload_encoding,
  /// RFC 6455 framing violated (mask, opcode, reserved bits, control frames).
  ws_protocol_error,
  /// A WebSocket message larger than the configured maximum.
  ws_message_too_big,
  /// A text message or close reason that is not UTF-8.
  ws_invalid_utf8,
  /// Token is not three base64url parts with JSON header and claims.
  jwt_malformed,
  /// Signature does not match the configured secret.
  jwt_bad_signature,
  /// No signer for the token's `alg` (or no secret configured).
  jwt_signer_error,
  /// `exp` is in the past.
  jwt_expired,
  /// `exp` is not a positive number.
  jwt_invalid_expiration,
  /// `role` or `exp` is missing.
  jwt_missing_claims,
  /// A configured claim validator (or `iat`/`nbf`) failed.
  jwt_invalid_claims,
};

template <class T>
using expected = tl::expected<T, errc>;

/// Stable, lowercase name of `e` for logs and tests.
std::string_view to_string(errc e) noexcept;

} // namespace rt::protocol
