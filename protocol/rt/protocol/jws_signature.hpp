#pragma once

// Checks of JWS signatures made with public keys (RFC 7518 section 3.3-3.4,
// RFC 8037): RSASSA-PKCS1-v1_5 (RS256/384/512), ECDSA with the signature as
// R || S (ES256 on P-256, ES384 on P-384, ES512 on P-521) and EdDSA (alg
// "EdDSA" on either curve, or "Ed25519"/"Ed448" naming theirs). OpenSSL does
// the arithmetic.

#include <string_view>

#include "rt/protocol/jwk.hpp"

namespace rt::protocol {

/// Whether `alg` is one of the public-key algorithms above.
[[nodiscard]] bool is_public_key_alg(std::string_view alg) noexcept;

/// The JWK type that verifies `alg` (rsa, ec or okp); `other` for any other alg.
[[nodiscard]] jwk_type key_type_for(std::string_view alg) noexcept;

/// True when `signature` is `key`'s valid signature of `input` under `alg`.
/// False for a key of another type or curve than `alg` needs, a signature of
/// the wrong length, and any failure inside OpenSSL. Never throws.
[[nodiscard]] bool verify_public_key_signature(std::string_view alg, const jwk& key,
                                               std::string_view input,
                                               std::string_view signature) noexcept;

} // namespace rt::protocol
