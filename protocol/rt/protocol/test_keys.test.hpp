#pragma once

// Key pairs for tests of public-key JWTs: made with OpenSSL, published as
// JWKs, and signing tokens the way an identity provider would.

#include <memory>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "rt/protocol/base64url.hpp"

namespace rt::protocol::testing {

struct test_key {
  std::shared_ptr<EVP_PKEY> pkey;
  std::string kty;   ///< "RSA", "EC" or "OKP"
  std::string curve; ///< EC and OKP curves as JWK names them

  /// Makes a key: "RSA", "P-256", "P-384", "P-521", "Ed25519" or "Ed448".
  static test_key make(std::string_view kind) {
    test_key k;
    EVP_PKEY* raw = nullptr;
    if (kind == "RSA") {
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
      k.kty = "RSA";
    } else if (kind.substr(0, 2) == "P-") {
      const char* group = kind == "P-256" ? "P-256" : kind == "P-384" ? "P-384" : "P-521";
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group);
      k.kty = "EC";
      k.curve = std::string{kind};
    } else {
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, kind == "Ed25519" ? "ED25519" : "ED448");
      k.kty = "OKP";
      k.curve = std::string{kind};
    }
    k.pkey.reset(raw, EVP_PKEY_free);
    return k;
  }

  /// The public JWK with `kid`.
  boost::json::object jwk(std::string_view kid) const {
    boost::json::object o;
    o["kty"] = kty;
    o["kid"] = kid;
    if (kty == "RSA") {
      o["n"] = base64url_encode(bignum(OSSL_PKEY_PARAM_RSA_N));
      o["e"] = base64url_encode(bignum(OSSL_PKEY_PARAM_RSA_E));
    } else if (kty == "EC") {
      o["crv"] = curve;
      auto size = curve == "P-256" ? 32u : curve == "P-384" ? 48u : 66u;
      o["x"] = base64url_encode(padded(bignum(OSSL_PKEY_PARAM_EC_PUB_X), size));
      o["y"] = base64url_encode(padded(bignum(OSSL_PKEY_PARAM_EC_PUB_Y), size));
    } else {
      o["crv"] = curve;
      std::size_t len = 0;
      EVP_PKEY_get_raw_public_key(pkey.get(), nullptr, &len);
      std::string raw(len, '\0');
      EVP_PKEY_get_raw_public_key(pkey.get(), reinterpret_cast<unsigned char*>(raw.data()), &len);
      o["x"] = base64url_encode(raw);
    }
    return o;
  }

  /// The JWS signature of `input` for `alg` (R || S for ECDSA).
  std::string sign(std::string_view alg, std::string_view input) const {
    const EVP_MD* md = nullptr;
    if (alg.size() == 5 && alg[0] != 'E') // RS256…
      md = alg.substr(2) == "256" ? EVP_sha256() : alg.substr(2) == "384" ? EVP_sha384() : EVP_sha512();
    if (kty == "EC")
      md = alg == "ES256" ? EVP_sha256() : alg == "ES384" ? EVP_sha384() : EVP_sha512();
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestSignInit(ctx, nullptr, md, nullptr, pkey.get());
    std::size_t len = 0;
    auto* in = reinterpret_cast<const unsigned char*>(input.data());
    EVP_DigestSign(ctx, nullptr, &len, in, input.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, in, input.size());
    EVP_MD_CTX_free(ctx);
    sig.resize(len);
    return kty == "EC" ? der_to_raw(sig) : sig;
  }

  /// A compact token: header {"alg", "kid" (unless empty), "typ"} and `claims`.
  std::string token(std::string_view alg, std::string_view kid, std::string_view claims_json) const {
    boost::json::object header;
    header["alg"] = alg;
    if (!kid.empty())
      header["kid"] = kid;
    header["typ"] = "JWT";
    auto input = base64url_encode(boost::json::serialize(header)) + "." + base64url_encode(claims_json);
    return input + "." + base64url_encode(sign(alg, input));
  }

private:
  std::string bignum(const char* name) const {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(pkey.get(), name, &bn);
    std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
    BN_free(bn);
    return out;
  }

  static std::string padded(std::string bytes, std::size_t size) {
    return std::string(size - bytes.size(), '\0') + bytes;
  }

  std::string der_to_raw(const std::string& der) const {
    auto* p = reinterpret_cast<const unsigned char*>(der.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
    auto size = curve == "P-256" ? 32 : curve == "P-384" ? 48 : 66;
    std::string out(static_cast<std::size_t>(2 * size), '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(out.data()), size);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(out.data()) + size, size);
    ECDSA_SIG_free(sig);
    return out;
  }
};

} // namespace rt::protocol::testing
