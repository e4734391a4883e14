#include "rt/protocol/jws_signature.hpp"

#include <memory>
#include <string>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

namespace rt::protocol {

namespace {

struct md_ctx_free {
  void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};
struct sig_free {
  void operator()(ECDSA_SIG* s) const noexcept { ECDSA_SIG_free(s); }
};

const EVP_MD* sha_for(std::string_view alg) noexcept {
  auto bits = alg.substr(2);
  if (bits == "256") return EVP_sha256();
  if (bits == "384") return EVP_sha384();
  if (bits == "512") return EVP_sha512();
  return nullptr;
}

bool digest_verify(const EVP_MD* md, EVP_PKEY* key, std::string_view input,
                   std::string_view signature) noexcept {
  std::unique_ptr<EVP_MD_CTX, md_ctx_free> ctx{EVP_MD_CTX_new()};
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1)
    return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                          input.size()) == 1;
}

std::string_view curve_for_es(std::string_view alg) noexcept {
  if (alg == "ES256") return "P-256";
  if (alg == "ES384") return "P-384";
  if (alg == "ES512") return "P-521";
  return {};
}

std::size_t field_bytes(std::string_view curve) noexcept {
  if (curve == "P-256") return 32;
  if (curve == "P-384") return 48;
  return 66;
}

// R || S, each as wide as the curve's field, re-encoded as the DER sequence
// OpenSSL verifies.
bool ecdsa_verify(std::string_view alg, const jwk& key, std::string_view input,
                  std::string_view signature) noexcept {
  if (key.curve != curve_for_es(alg))
    return false;
  auto n = field_bytes(key.curve);
  if (signature.size() != 2 * n)
    return false;
  std::unique_ptr<ECDSA_SIG, sig_free> sig{ECDSA_SIG_new()};
  auto* data = reinterpret_cast<const unsigned char*>(signature.data());
  BIGNUM* r = BN_bin2bn(data, static_cast<int>(n), nullptr);
  BIGNUM* s = BN_bin2bn(data + n, static_cast<int>(n), nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  unsigned char* der = nullptr;
  int der_size = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_size <= 0)
    return false;
  bool ok = digest_verify(sha_for(alg), key.public_key.get(), input,
                          {reinterpret_cast<const char*>(der), static_cast<std::size_t>(der_size)});
  OPENSSL_free(der);
  return ok;
}

bool eddsa_verify(std::string_view alg, const jwk& key, std::string_view input,
                  std::string_view signature) noexcept {
  if (alg != "EdDSA" && alg != key.curve)
    return false;
  return digest_verify(nullptr, key.public_key.get(), input, signature);
}

} // namespace

jwk_type key_type_for(std::string_view alg) noexcept {
  if (alg == "RS256" || alg == "RS384" || alg == "RS512")
    return jwk_type::rsa;
  if (alg == "ES256" || alg == "ES384" || alg == "ES512")
    return jwk_type::ec;
  if (alg == "EdDSA" || alg == "Ed25519" || alg == "Ed448")
    return jwk_type::okp;
  return jwk_type::other;
}

bool is_public_key_alg(std::string_view alg) noexcept {
  return key_type_for(alg) != jwk_type::other;
}

bool verify_public_key_signature(std::string_view alg, const jwk& key, std::string_view input,
                                 std::string_view signature) noexcept {
  auto type = key_type_for(alg);
  if (type == jwk_type::other || key.type != type || !key.public_key)
    return false;
  switch (type) {
    case jwk_type::rsa: return digest_verify(sha_for(alg), key.public_key.get(), input, signature);
    case jwk_type::ec: return ecdsa_verify(alg, key, input, signature);
    default: return eddsa_verify(alg, key, input, signature);
  }
}

} // namespace rt::protocol
