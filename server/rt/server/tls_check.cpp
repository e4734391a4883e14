#include "rt/server/tls_check.hpp"

#include <memory>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace rt::server {

namespace {

template <class T, void (*Free)(T*)>
using owned = std::unique_ptr<T, decltype([](T* p) { Free(p); })>;

tl::unexpected<std::string> failure(std::string what) {
  while (auto e = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    what.append(": ").append(text);
  }
  return tl::unexpected{std::move(what)};
}

} // namespace

tl::expected<void, std::string> check_cluster_tls(const cluster_config& c) {
  ERR_clear_error();
  owned<SSL_CTX, SSL_CTX_free> ctx{SSL_CTX_new(TLS_method())};
  if (!ctx)
    return failure("cluster TLS: cannot create an OpenSSL context");
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), c.tls_certificate.c_str()) != 1)
    return failure("CLUSTER_TLS_CERT " + c.tls_certificate + " cannot be used");
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), c.tls_key.c_str(), SSL_FILETYPE_PEM) != 1)
    return failure("CLUSTER_TLS_KEY " + c.tls_key + " cannot be used");
  if (SSL_CTX_check_private_key(ctx.get()) != 1)
    return failure("CLUSTER_TLS_KEY does not belong to CLUSTER_TLS_CERT");
  if (SSL_CTX_load_verify_locations(ctx.get(), c.tls_ca.c_str(), nullptr) != 1)
    return failure("CLUSTER_TLS_CA " + c.tls_ca + " cannot be used");
  owned<X509_STORE_CTX, X509_STORE_CTX_free> check{X509_STORE_CTX_new()};
  auto* own = SSL_CTX_get0_certificate(ctx.get());
  if (!check || own == nullptr
      || X509_STORE_CTX_init(check.get(), SSL_CTX_get_cert_store(ctx.get()), own, nullptr) != 1)
    return failure("cluster TLS: cannot check the certificate");
  if (X509_verify_cert(check.get()) != 1)
    return tl::unexpected{"CLUSTER_TLS_CERT is not signed by CLUSTER_TLS_CA: "
                          + std::string{X509_verify_cert_error_string(
                            X509_STORE_CTX_get_error(check.get()))}};
  return {};
}

} // namespace rt::server
