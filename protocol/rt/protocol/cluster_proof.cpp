#include "rt/protocol/cluster_proof.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "rt/protocol/base64url.hpp"

namespace rt::protocol {

std::string cluster_proof(std::string_view secret, std::string_view name) {
  std::string input = "rt-cluster:";
  input.append(name);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &size)
      == nullptr)
    return {};
  return base64url_encode(std::string_view{reinterpret_cast<const char*>(mac), size});
}

bool cluster_proof_valid(std::string_view secret, std::string_view name, std::string_view proof) {
  if (secret.empty())
    return true;
  auto expected = cluster_proof(secret, name);
  return !expected.empty() && expected.size() == proof.size()
         && CRYPTO_memcmp(expected.data(), proof.data(), proof.size()) == 0;
}

} // namespace rt::protocol
