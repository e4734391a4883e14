#include "rt/protocol/jwt.hpp"

#include "rt/protocol/base64url.hpp"
#include "rt/protocol/events.hpp"
#include "rt/protocol/jws_signature.hpp"
#include "rt/protocol/elixir_string.hpp"

#include <climits>
#include <cmath>
#include <limits>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace rt::protocol {

namespace {

/// Tail of Supabase's expiry message: "Token has expired <N> seconds ago".
constexpr std::string_view seconds_ago_suffix = " seconds ago";

/// Nesting allowed in header and claims; Boost.JSON's default of 32 is lower
/// than what Supabase's JSON decoder takes.
constexpr std::size_t max_json_depth = 256;

constexpr auto int64_max = std::numeric_limits<std::int64_t>::max();
constexpr auto int64_min = std::numeric_limits<std::int64_t>::min();

using boost::json::object;
using boost::json::value;

tl::unexpected<jwt_failure> fail(errc code, std::int64_t seconds_ago = 0) {
  return tl::unexpected(jwt_failure{code, seconds_ago});
}

// -- token cleaning (ChannelsAuthorization.clean_token) ------------------------

// PCRE's \s without Unicode mode.
bool is_token_space(char c) noexcept {
  switch (c) {
    case ' ': case '\t': case '\n': case '\v': case '\f': case '\r': return true;
    default: return false;
  }
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool needs_cleaning(std::string_view token) noexcept {
  for (char c : token)
    if (c == '%' || is_token_space(c))
      return true;
  return false;
}

// URI.decode, then drop whitespace. Like Elixir's URI.decode, a '%' that does
// not start a valid escape stays as it is.
std::string clean_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (std::size_t i = 0; i < token.size(); ++i) {
    char c = token[i];
    if (c == '%' && i + 2 < token.size()) {
      int hi = hex_value(token[i + 1]);
      int lo = hex_value(token[i + 2]);
      if (hi >= 0 && lo >= 0) {
        c = static_cast<char>(hi * 16 + lo);
        i += 2;
      }
    }
    if (!is_token_space(c))
      out.push_back(c);
  }
  return out;
}

// -- structure ---------------------------------------------------------------

struct token_parts {
  std::string_view header;
  std::string_view claims;
  std::string_view signature;
};

std::optional<token_parts> split_token(std::string_view token) {
  auto first = token.find('.');
  if (first == std::string_view::npos)
    return std::nullopt;
  auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return std::nullopt;
  return token_parts{token.substr(0, first), token.substr(first + 1, second - first - 1),
                     token.substr(second + 1)};
}

std::optional<object> parse_object(std::string_view json) {
  boost::json::parse_options options;
  options.max_depth = max_json_depth;
  boost::system::error_code ec;
  value parsed = boost::json::parse(json, ec, {}, options);
  if (ec)
    return std::nullopt;
  auto* obj = parsed.if_object();
  if (!obj)
    return std::nullopt;
  return std::move(*obj);
}

// -- signature ---------------------------------------------------------------

const EVP_MD* hs_digest(std::string_view alg) noexcept {
  if (alg == "HS256") return EVP_sha256();
  if (alg == "HS384") return EVP_sha384();
  if (alg == "HS512") return EVP_sha512();
  return nullptr;
}

// A chosen signer: an HMAC digest with its key, or a public key.
struct signer {
  const EVP_MD* hmac = nullptr;
  std::string secret;
  const jwk* key = nullptr;
};

tl::unexpected<jwt_failure> signer_failure(std::optional<std::string> kid = std::nullopt) {
  return tl::unexpected(jwt_failure{errc::jwt_signer_error, 0, std::move(kid)});
}

tl::expected<signer, jwt_failure> hmac_with_secret(const EVP_MD* md, const jwt_settings& settings) {
  if (settings.secret.empty())
    return signer_failure();
  return signer{md, settings.secret, nullptr};
}

// JwtVerification.generate_signer: a kid with a JWKS picks the key of the
// alg's type; HS* without a matching oct key falls back to the secret.
tl::expected<signer, jwt_failure> select_signer(const object& header, const jwt_settings& settings) {
  auto* alg_value = header.if_contains("alg");
  auto* alg = alg_value ? alg_value->if_string() : nullptr;
  if (alg == nullptr)
    return signer_failure();
  auto* md = hs_digest(*alg);
  auto* kid_value = header.if_contains("kid");
  auto* kid = kid_value ? kid_value->if_string() : nullptr;
  if (kid == nullptr || !settings.jwks) {
    if (md == nullptr)
      return signer_failure();
    return hmac_with_secret(md, settings);
  }
  std::string kid_text{*kid};
  if (md != nullptr) {
    const jwk* oct = settings.jwks->find(jwk_type::oct, kid_text);
    if (oct == nullptr)
      return hmac_with_secret(md, settings);
    auto secret = base64url_decode(*oct->secret_b64);
    if (!secret)
      return signer_failure(std::move(kid_text));
    return signer{md, std::move(*secret), nullptr};
  }
  auto type = key_type_for(*alg);
  if (type == jwk_type::other)
    return signer_failure();
  const jwk* key = settings.jwks->find(type, kid_text);
  if (key == nullptr || !key->public_key)
    return signer_failure(std::move(kid_text));
  return signer{nullptr, {}, key};
}

struct mac_result {
  unsigned char bytes[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
};

bool compute_hmac(const EVP_MD* md, std::string_view key, std::string_view input,
                  mac_result& out) noexcept {
  if (key.size() > static_cast<std::size_t>(INT_MAX))
    return false;
  static const unsigned char no_key = 0;
  const void* key_data = key.empty() ? &no_key : static_cast<const void*>(key.data());
  return HMAC(md, key_data, static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(input.data()), input.size(), out.bytes,
              &out.size) != nullptr;
}

// True if re-encoding `bytes` gives back `segment` exactly (no padding, zero
// spare bits). Only the last partial group can differ, so only it is encoded.
bool is_canonical(std::string_view segment, std::string_view bytes) {
  if (!segment.empty() && segment.back() == '=')
    return false;
  auto tail_bytes = bytes.size() % 3;
  if (tail_bytes == 0)
    return true;
  return base64url_encode(bytes.substr(bytes.size() - tail_bytes)) ==
         segment.substr(segment.size() - (tail_bytes + 1));
}

// JOSE signs "<header segment as sent>.<payload re-encoded>", so a padded or
// non-canonical payload segment is verified in its canonical spelling.
bool signature_matches(const signer& with, std::string_view alg, std::string_view token,
                       const token_parts& parts, std::string_view payload,
                       std::string_view signature) {
  std::string rebuilt;
  auto input = token.substr(0, parts.header.size() + 1 + parts.claims.size());
  if (!is_canonical(parts.claims, payload)) {
    rebuilt.append(parts.header).append(1, '.').append(base64url_encode(payload));
    input = rebuilt;
  }
  if (with.key != nullptr)
    return verify_public_key_signature(alg, *with.key, input, signature);
  mac_result mac;
  if (!compute_hmac(with.hmac, with.secret, input, mac))
    return false;
  return signature.size() == mac.size && CRYPTO_memcmp(mac.bytes, signature.data(), mac.size) == 0;
}

// -- claims ------------------------------------------------------------------

bool is_number(const value& v) noexcept {
  return v.is_int64() || v.is_uint64() || v.is_double();
}

double to_double(const value& v) noexcept {
  if (auto* i = v.if_int64()) return static_cast<double>(*i);
  if (auto* u = v.if_uint64()) return static_cast<double>(*u);
  return *v.if_double();
}

// Elixir's == on numbers: 1 == 1.0.
bool numbers_equal(const value& a, const value& b) noexcept {
  if (a.is_double() || b.is_double())
    return to_double(a) == to_double(b);
  if (a.kind() == b.kind())
    return a == b;
  auto* i = a.is_int64() ? a.if_int64() : b.if_int64();
  auto* u = a.is_uint64() ? a.if_uint64() : b.if_uint64();
  return *i >= 0 && static_cast<std::uint64_t>(*i) == *u;
}

bool json_equal(const value& a, const value& b);

bool arrays_equal(const boost::json::array& a, const boost::json::array& b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!json_equal(a[i], b[i]))
      return false;
  return true;
}

bool objects_equal(const object& a, const object& b) {
  if (a.size() != b.size())
    return false;
  for (const auto& entry : a) {
    auto* other = b.if_contains(entry.key());
    if (!other || !json_equal(entry.value(), *other))
      return false;
  }
  return true;
}

// Elixir's == on decoded JSON (the JWT_CLAIM_VALIDATORS check).
bool json_equal(const value& a, const value& b) {
  if (is_number(a) && is_number(b))
    return numbers_equal(a, b);
  if (a.kind() != b.kind())
    return false;
  if (auto* arr = a.if_array())
    return arrays_equal(*arr, *b.if_array());
  if (auto* obj = a.if_object())
    return objects_equal(*obj, *b.if_object());
  return a == b;
}

// exp <= now, as an exact count; exp <= now so the difference fits in uint64.
std::int64_t seconds_since(std::int64_t exp, std::int64_t now) noexcept {
  auto diff = static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(exp);
  return diff > static_cast<std::uint64_t>(int64_max) ? int64_max : static_cast<std::int64_t>(diff);
}

// Supabase words expiry only for an integer exp; a past fractional or a
// non-number exp is a generic claim failure there.
std::optional<jwt_failure> check_exp(const value& exp, std::int64_t now) noexcept {
  if (auto* i = exp.if_int64()) {
    if (*i > now)
      return std::nullopt;
    return jwt_failure{errc::jwt_expired, seconds_since(*i, now)};
  }
  if (exp.is_uint64())
    return std::nullopt;
  if (auto* d = exp.if_double(); d && *d > static_cast<double>(now))
    return std::nullopt;
  return jwt_failure{errc::jwt_invalid_claims};
}

// Tracks the failing claim with the smallest name: Joken walks the claims in
// Erlang map order (byte order of the keys for up to 32 claims) and stops at
// the first failure.
struct first_failure {
  std::string_view key;
  std::optional<jwt_failure> failure;

  void consider(std::string_view claim, std::optional<jwt_failure> f) {
    if (f && (!failure || claim < key)) {
      key = claim;
      failure = f;
    }
  }
};

std::optional<jwt_failure> check_claims(const object& claims, const jwt_settings& settings,
                                        std::int64_t now) {
  first_failure first;
  if (auto* exp = claims.if_contains("exp"))
    first.consider("exp", check_exp(*exp, now));
  if (auto* iat = claims.if_contains("iat"); iat && !is_number(*iat))
    first.consider("iat", jwt_failure{errc::jwt_invalid_claims});
  // Supabase does not look at nbf; a token not valid yet is refused here.
  if (auto* nbf = claims.if_contains("nbf");
      nbf && (!is_number(*nbf) || to_double(*nbf) > static_cast<double>(now)))
    first.consider("nbf", jwt_failure{errc::jwt_invalid_claims});
  for (const auto& validator : settings.claim_validators) {
    auto key = validator.key();
    if (key == "exp" || key == "iat")
      continue;
    auto* actual = claims.if_contains(key);
    if (actual && !json_equal(*actual, validator.value()))
      first.consider(key, jwt_failure{errc::jwt_invalid_claims});
  }
  return first.failure;
}

// Elixir's round/1 (half away from zero), clamped to int64.
std::int64_t round_to_int64(double d) noexcept {
  double r = std::round(d);
  if (r >= 9223372036854775808.0)
    return int64_max;
  if (r < -9223372036854775808.0)
    return int64_min;
  return static_cast<std::int64_t>(r);
}

void round_claim(object& claims, std::string_view key) {
  auto* v = claims.if_contains(key);
  if (auto* d = v ? v->if_double() : nullptr)
    *v = round_to_int64(*d);
}

std::int64_t exp_value(const value& exp) noexcept {
  if (auto* i = exp.if_int64())
    return *i;
  return int64_max; // uint64: above int64's range
}

// authorize_conn's final step: `role` and `exp` must be present.
tl::expected<verified_jwt, jwt_failure> accept(object claims) {
  round_claim(claims, "exp");
  round_claim(claims, "iat");
  auto* exp = claims.if_contains("exp");
  auto* role_value = claims.if_contains("role");
  auto* role = role_value ? role_value->if_string() : nullptr;
  if (!exp || !role)
    return fail(errc::jwt_missing_claims);
  verified_jwt out;
  out.role = std::string(role->data(), role->size());
  out.exp = exp_value(*exp);
  out.claims = std::move(claims);
  return out;
}

tl::expected<verified_jwt, jwt_failure>
verify_clean(std::string_view token, const jwt_settings& settings, std::int64_t now) {
  auto parts = split_token(token);
  if (!parts)
    return fail(errc::jwt_malformed);
  auto payload = base64url_decode(parts->claims);
  auto header_json = base64url_decode(parts->header);
  if (!payload || !header_json)
    return fail(errc::jwt_malformed);
  auto claims = parse_object(*payload);
  auto header = parse_object(*header_json);
  if (!claims || !header)
    return fail(errc::jwt_malformed);
  auto chosen = select_signer(*header, settings);
  if (!chosen)
    return tl::unexpected(chosen.error());
  auto signature = base64url_decode(parts->signature);
  if (!signature)
    return fail(errc::jwt_malformed);
  auto alg = header->at("alg").get_string();
  if (!signature_matches(*chosen, alg, token, *parts, *payload, *signature))
    return fail(errc::jwt_bad_signature);
  if (auto failure = check_claims(*claims, settings, now))
    return tl::unexpected(*failure);
  return accept(std::move(*claims));
}

} // namespace

tl::expected<verified_jwt, jwt_failure>
verify_jwt(std::string_view token, const jwt_settings& settings, std::int64_t now_unix) {
  if (!needs_cleaning(token))
    return verify_clean(token, settings, now_unix);
  auto cleaned = clean_token(token);
  return verify_clean(cleaned, settings, now_unix);
}

std::string jwt_failure_message(const jwt_failure& failure) {
  switch (failure.code) {
    case errc::jwt_expired: {
      std::string msg{wire::msg_token_expired};
      msg += ' ';
      msg += std::to_string(failure.expired_seconds_ago);
      msg += seconds_ago_suffix;
      return msg;
    }
    case errc::jwt_missing_claims: return std::string{wire::msg_missing_claims};
    case errc::jwt_bad_signature: return std::string{wire::msg_bad_signature};
    case errc::jwt_signer_error:
      if (failure.kid)
        return std::string{wire::msg_signer_error_kid_head} + elixir_inspect_binary(*failure.kid) +
               std::string{wire::msg_signer_error_kid_tail};
      return std::string{wire::msg_signer_error};
    case errc::jwt_invalid_expiration: return std::string{wire::msg_invalid_expiration};
    case errc::jwt_invalid_claims: return std::string{wire::unknown_channel_error};
    default: return std::string{wire::msg_malformed_jwt};
  }
}

std::string_view jwt_failure_code(const jwt_failure& failure) noexcept {
  switch (failure.code) {
    case errc::jwt_expired:
    case errc::jwt_missing_claims:
    case errc::jwt_invalid_expiration: return wire::code_invalid_jwt;
    case errc::jwt_bad_signature: return wire::code_jwt_signature;
    case errc::jwt_signer_error: return wire::code_jwt_signer;
    case errc::jwt_invalid_claims: return {};
    default: return wire::code_malformed_jwt;
  }
}

std::optional<std::string>
sign_jwt(std::string_view alg, std::string_view secret, const object& claims) {
  auto* md = hs_digest(alg);
  if (!md)
    return std::nullopt;
  std::string header = R"({"alg":")";
  header.append(alg).append(R"(","typ":"JWT"})");
  std::string token = base64url_encode(header);
  token += '.';
  token += base64url_encode(boost::json::serialize(claims));
  mac_result mac;
  if (!compute_hmac(md, secret, token, mac))
    return std::nullopt;
  token += '.';
  token += base64url_encode({reinterpret_cast<const char*>(mac.bytes), mac.size});
  return token;
}

} // namespace rt::protocol
