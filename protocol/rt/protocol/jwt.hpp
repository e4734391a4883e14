#pragma once

// JSON Web Tokens (RFC 7519) in JWS compact form, checked as Supabase Realtime
// checks the `apikey` of a socket and the `access_token` of a channel:
//
//   token      = base64url(header) "." base64url(claims) "." base64url(signature)
//   header     JSON object; `alg` picks the signer (HS256/384/512 with the
//              secret, or RS256/384/512, ES256/384/512, EdDSA with a JWKS key
//              named by `kid`)
//   claims     JSON object; `exp` (and `iat`) numbers, `role` the Postgres role
//   signature  over "header.claims": HMAC with the secret (or an `oct` JWK of
//              the token's kid), or the public key's signature
//
// Before parsing, the token is percent-decoded and stripped of all whitespace.

#include "rt/protocol/error.hpp"
#include "rt/protocol/jwk.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <tl/expected.hpp>

namespace rt::protocol {

/// How tokens are checked.
struct jwt_settings {
  /// HMAC secret for HS256/384/512. Empty means no HS signer is configured.
  std::string secret;
  /// Claims that must equal these values (JWT_CLAIM_VALIDATORS). A token that
  /// does not carry one of these claims is not checked for it (Supabase's rule).
  /// Entries for `exp` and `iat` are ignored: those have fixed checks.
  boost::json::object claim_validators;
  /// Keys for RS*, ES* and EdDSA tokens, and `oct` secrets for HS* tokens
  /// with a kid (API_JWT_JWKS); null when none are configured.
  std::shared_ptr<const jwk_set> jwks = nullptr;
};

/// A token that passed every check.
struct verified_jwt {
  /// All claims, with a fractional `exp` or `iat` rounded to an integer.
  boost::json::object claims;
  std::string role;     ///< claims["role"] (a string; else missing claims)
  std::int64_t exp = 0; ///< claims["exp"], rounded
};

/// Why a token was refused.
struct jwt_failure {
  errc code;                            ///< one of the jwt_* values of errc
  std::int64_t expired_seconds_ago = 0; ///< for errc::jwt_expired
  /// For errc::jwt_signer_error: the token's kid when no key of the JWKS
  /// could verify it (Supabase then names the kid in its message).
  std::optional<std::string> kid = std::nullopt;
};

/// Verifies `token` at time `now_unix` (seconds since the epoch), with the
/// checks and in the order of Supabase Realtime's connect path
/// (`ChannelsAuthorization.authorize_conn`). The first failing step decides:
///
/// 1. `jwt_malformed`: bad percent escape; not three '.'-separated parts; header
///    or claims not base64url of a JSON object.
/// 2. `jwt_signer_error`, as Supabase's JwtVerification.generate_signer picks
///    the signer: with a string `kid` and a JWKS, RS* takes the RSA key, ES*
///    the EC key and EdDSA/Ed25519/Ed448 the OKP key (Ed25519 or Ed448 curve)
///    of that kid, and HS* the decoded `k` of its oct key, else the secret;
///    without either, only HS* with the secret. No such key, an undecodable `k`
///    or an OKP key of another curve fails with the kid set; any other alg, or
///    HS* without a secret, fails without it.
/// 3. `jwt_malformed`: signature part not base64url.
/// 4. `jwt_bad_signature`: HMAC mismatch (compared in constant time), or the
///    public key does not verify the signature (see jws_signature.hpp; a key
///    of another curve than the alg names never does).
/// 5. Claim checks, on the present claims in byte order of their names, first
///    failure wins: integer `exp <= now_unix` gives `jwt_expired`; any other
///    failure (non-number or fractional-and-past `exp`, non-number `iat`, a
///    claim differing from its validator) gives `jwt_invalid_claims`.
/// 6. `jwt_missing_claims`: `exp` absent, or `role` absent or not a string.
///
///    Unlike Supabase, an `nbf` that is not a number or lies after `now_unix`
///    is such a failure too (the token is not valid yet).
///
/// `aud` and `iss` are not checked unless listed in the validators.
/// This function never returns `jwt_invalid_expiration`: at join Supabase also
/// requires the rounded `exp` to be later than now, which the caller checks on
/// the result. Never throws; safe to call from any thread.
[[nodiscard]] tl::expected<verified_jwt, jwt_failure>
verify_jwt(std::string_view token, const jwt_settings& settings, std::int64_t now_unix);

/// Supabase's message for a failure, e.g. "Token has expired 12 seconds ago",
/// "Fields `role` and `exp` are required in JWT", "The token provided is not a
/// valid JWT", "Failed to validate JWT signature", "Failed to generate JWT
/// signer, check your JWT secret or JWKS configuration" (with a kid: "Failed
/// to generate JWT signer for key ID (kid) \"<kid>\", check your JWT secret or
/// JWKS configuration", the kid as Elixir's inspect prints it), "Token expiration time
/// is invalid". `jwt_invalid_claims` has no message of its own in Supabase: it
/// yields "Unknown Error on Channel" (the bare join reason; at connect Supabase
/// answers HTTP 500 "Error connecting to Realtime" instead). A non-JWT code
/// yields the malformed-token message.
std::string jwt_failure_message(const jwt_failure& failure);

/// Supabase's join-error code prefix for a failure: "InvalidJWTToken" (expired,
/// invalid expiration, missing claims), "MalformedJWT", "JwtSignatureError",
/// "JwtSignerError". Empty for `jwt_invalid_claims`, whose join reason Supabase
/// sends without a prefix. The view refers to static storage.
std::string_view jwt_failure_code(const jwt_failure& failure) noexcept;

/// Signs `claims` as a compact JWT with header {"alg":<alg>,"typ":"JWT"}.
/// `alg` is "HS256", "HS384" or "HS512"; `std::nullopt` for any other alg (or
/// if OpenSSL fails). An empty `secret` is allowed. Never throws.
[[nodiscard]] std::optional<std::string>
sign_jwt(std::string_view alg, std::string_view secret, const boost::json::object& claims);

} // namespace rt::protocol
