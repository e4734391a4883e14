#pragma once

// JSON Web Key sets (RFC 7517) holding the public keys that verify RS*, ES*
// and EdDSA tokens, and `oct` secrets for HS* tokens that name a `kid`, as
// Supabase Realtime reads a tenant's `jwt_jwks` ({"keys": [...]}).
//
//   RSA  {"kty":"RSA","kid":…,"n":b64url,"e":b64url}
//   EC   {"kty":"EC","kid":…,"crv":"P-256"|"P-384"|"P-521","x":b64url,"y":b64url}
//   OKP  {"kty":"OKP","kid":…,"crv":"Ed25519"|"Ed448","x":b64url}
//   oct  {"kty":"oct","kid":…,"k":b64url}
//
// Keys are turned into OpenSSL keys once, when the set is parsed; a key that
// OpenSSL refuses makes the whole set invalid (the configuration is refused at
// startup rather than failing on some token later). Private members (`d`,
// `p`, …) are ignored: only verification happens here. Keys with another
// `kty`, and OKP keys on a curve that cannot sign (X25519, X448), are kept so
// that lookups find them as Supabase does, and then refuse to verify.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

using EVP_PKEY = struct evp_pkey_st;

namespace rt::protocol {

/// The families of JWK this server verifies with.
enum class jwk_type { rsa, ec, okp, oct, other };

/// One key of a set.
struct jwk {
  jwk_type type = jwk_type::other;
  /// `kid`; nullopt when absent or not a string (such a key never matches).
  std::optional<std::string> kid;
  /// `crv` of EC and OKP keys.
  std::string curve;
  /// The public key of RSA, EC and Ed25519/Ed448 keys; null otherwise.
  std::shared_ptr<EVP_PKEY> public_key;
  /// `k` of an oct key as given (base64url; decoded when used).
  std::optional<std::string> secret_b64;
};

/// A parsed key set. Immutable and safe to share between threads.
class jwk_set {
public:
  /// The first key of `type` whose kid equals `kid` (for oct keys: the first
  /// that also has a string `k`), or null.
  [[nodiscard]] const jwk* find(jwk_type type, std::string_view kid) const noexcept;

  /// Number of keys.
  [[nodiscard]] std::size_t size() const noexcept { return keys_.size(); }

  /// Parses `{"keys":[…]}`. Fails, naming the key and the reason, when the
  /// text is not such an object or an RSA, EC or OKP key cannot be built.
  static tl::expected<jwk_set, std::string> parse(std::string_view json);

private:
  std::vector<jwk> keys_;
};

} // namespace rt::protocol
