#include "rt/protocol/jwk.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "rt/protocol/base64url.hpp"

namespace rt::protocol {

namespace {

using boost::json::object;

struct pkey_free {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct bld_free {
  void operator()(OSSL_PARAM_BLD* b) const noexcept { OSSL_PARAM_BLD_free(b); }
};
struct params_free {
  void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};
struct ctx_free {
  void operator()(EVP_PKEY_CTX* c) const noexcept { EVP_PKEY_CTX_free(c); }
};

using key_result = tl::expected<std::shared_ptr<EVP_PKEY>, std::string>;

std::optional<std::string> member_bytes(const object& key, std::string_view name) {
  auto* v = key.if_contains(name);
  auto* s = v != nullptr ? v->if_string() : nullptr;
  if (s == nullptr || s->empty())
    return std::nullopt;
  return base64url_decode(*s);
}

std::string member_text(const object& key, std::string_view name) {
  auto* v = key.if_contains(name);
  auto* s = v != nullptr ? v->if_string() : nullptr;
  return s != nullptr ? std::string{*s} : std::string{};
}

// Builds a public key of `type_name` ("RSA", "EC") from OpenSSL parameters.
key_result from_params(const char* type_name, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, params_free> params{OSSL_PARAM_BLD_to_param(bld)};
  std::unique_ptr<EVP_PKEY_CTX, ctx_free> ctx{EVP_PKEY_CTX_new_from_name(nullptr, type_name, nullptr)};
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
    return tl::unexpected(std::string{"OpenSSL refused the key"});
  return std::shared_ptr<EVP_PKEY>{raw, pkey_free{}};
}

bool push_bignum(OSSL_PARAM_BLD* bld, const char* name, const std::string& bytes,
                 std::vector<std::unique_ptr<BIGNUM, decltype(&BN_free)>>& keep) {
  auto* bn = BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                       static_cast<int>(bytes.size()), nullptr);
  if (bn == nullptr)
    return false;
  keep.emplace_back(bn, &BN_free);
  return OSSL_PARAM_BLD_push_BN(bld, name, bn) == 1;
}

key_result rsa_key(const object& key) {
  auto n = member_bytes(key, "n");
  auto e = member_bytes(key, "e");
  if (!n || !e)
    return tl::unexpected(std::string{"RSA key needs base64url \"n\" and \"e\""});
  // Shorter moduli are not safe to verify with; OpenSSL would take them.
  if (n->size() < 256)
    return tl::unexpected(std::string{"RSA modulus shorter than 2048 bits"});
  std::unique_ptr<OSSL_PARAM_BLD, bld_free> bld{OSSL_PARAM_BLD_new()};
  std::vector<std::unique_ptr<BIGNUM, decltype(&BN_free)>> keep;
  if (!bld || !push_bignum(bld.get(), OSSL_PKEY_PARAM_RSA_N, *n, keep) ||
      !push_bignum(bld.get(), OSSL_PKEY_PARAM_RSA_E, *e, keep))
    return tl::unexpected(std::string{"OpenSSL refused the key"});
  return from_params("RSA", bld.get());
}

std::size_t ec_field_bytes(std::string_view curve) {
  if (curve == "P-256") return 32;
  if (curve == "P-384") return 48;
  if (curve == "P-521") return 66;
  return 0;
}

const char* ec_group(std::string_view curve) {
  if (curve == "P-256") return "prime256v1";
  if (curve == "P-384") return "secp384r1";
  return "secp521r1";
}

key_result ec_key(const object& key, const std::string& curve) {
  auto size = ec_field_bytes(curve);
  if (size == 0)
    return tl::unexpected("EC curve \"" + curve + "\" is not P-256, P-384 or P-521");
  auto x = member_bytes(key, "x");
  auto y = member_bytes(key, "y");
  if (!x || !y || x->size() != size || y->size() != size)
    return tl::unexpected(std::string{"EC key needs \"x\" and \"y\" of the curve's size"});
  std::string point = "\x04" + *x + *y;
  std::unique_ptr<OSSL_PARAM_BLD, bld_free> bld{OSSL_PARAM_BLD_new()};
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, ec_group(curve), 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1)
    return tl::unexpected(std::string{"OpenSSL refused the key"});
  auto built = from_params("EC", bld.get());
  if (!built)
    return tl::unexpected(std::string{"EC point is not on the curve"});
  return built;
}

key_result okp_key(const object& key, const std::string& curve) {
  int type = curve == "Ed25519" ? EVP_PKEY_ED25519 : curve == "Ed448" ? EVP_PKEY_ED448 : 0;
  if (type == 0)
    return std::shared_ptr<EVP_PKEY>{}; // kept, never verifies (X25519, X448, …)
  auto x = member_bytes(key, "x");
  if (!x)
    return tl::unexpected(std::string{"OKP key needs base64url \"x\""});
  auto* raw = EVP_PKEY_new_raw_public_key(type, nullptr,
                                          reinterpret_cast<const unsigned char*>(x->data()),
                                          x->size());
  if (raw == nullptr)
    return tl::unexpected(std::string{"OpenSSL refused the key"});
  return std::shared_ptr<EVP_PKEY>{raw, pkey_free{}};
}

tl::expected<jwk, std::string> read_key(const object& key) {
  jwk out;
  if (auto* kid = key.if_contains("kid"); kid != nullptr && kid->is_string())
    out.kid = std::string{kid->get_string()};
  auto kty = member_text(key, "kty");
  out.curve = member_text(key, "crv");
  key_result built = std::shared_ptr<EVP_PKEY>{};
  if (kty == "RSA") {
    out.type = jwk_type::rsa;
    built = rsa_key(key);
  } else if (kty == "EC") {
    out.type = jwk_type::ec;
    built = ec_key(key, out.curve);
  } else if (kty == "OKP") {
    out.type = jwk_type::okp;
    built = okp_key(key, out.curve);
  } else if (kty == "oct") {
    out.type = jwk_type::oct;
    if (auto* k = key.if_contains("k"); k != nullptr && k->is_string())
      out.secret_b64 = std::string{k->get_string()};
  }
  if (!built)
    return tl::unexpected(built.error());
  out.public_key = std::move(*built);
  return out;
}

std::string describe(std::size_t index, const object& key) {
  std::string out = "key " + std::to_string(index);
  if (auto* kid = key.if_contains("kid"); kid != nullptr && kid->is_string())
    out += " (kid \"" + std::string{kid->get_string()} + "\")";
  return out;
}

} // namespace

const jwk* jwk_set::find(jwk_type type, std::string_view kid) const noexcept {
  for (const auto& k : keys_)
    if (k.type == type && k.kid && *k.kid == kid && (type != jwk_type::oct || k.secret_b64))
      return &k;
  return nullptr;
}

tl::expected<jwk_set, std::string> jwk_set::parse(std::string_view json) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(json, ec);
  auto* root = ec ? nullptr : parsed.if_object();
  auto* keys = root != nullptr ? root->if_contains("keys") : nullptr;
  if (keys == nullptr || !keys->is_array())
    return tl::unexpected(std::string{"a JWKS must be a JSON object {\"keys\": [...]}"});
  jwk_set set;
  std::size_t index = 0;
  for (const auto& entry : keys->get_array()) {
    auto* key = entry.if_object();
    if (key == nullptr)
      return tl::unexpected("key " + std::to_string(index) + ": not a JSON object");
    auto read = read_key(*key);
    if (!read)
      return tl::unexpected(describe(index, *key) + ": " + read.error());
    set.keys_.push_back(std::move(*read));
    ++index;
  }
  return set;
}

} // namespace rt::protocol
