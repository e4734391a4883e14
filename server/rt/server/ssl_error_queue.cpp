// CAF 0.17.6's OpenSSL module asks SSL_get_error() after each TLS call but
// empties the thread's OpenSSL error queue only when it logs, and the Debian
// build compiles logging out. A failed handshake (a stranger, a plain client,
// a port scan) thus leaves errors behind, and the next TLS call of a healthy
// node connection on that thread reads them as its own and drops it.
// OpenSSL requires the queue to be empty before each TLS I/O call, so these
// definitions empty it and call OpenSSL's own: the executable's symbols come
// first when libcaf_openssl resolves them.

#include <dlfcn.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "rt/server/ssl_error_queue.hpp"

namespace {

template <class Fn>
Fn openssl_own(const char* name) {
  return reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, name));
}

using io_fn = int (*)(SSL*, void*, int);
using write_fn = int (*)(SSL*, const void*, int);
using handshake_fn = int (*)(SSL*);

} // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static const auto own = openssl_own<io_fn>("SSL_read");
  ERR_clear_error();
  return own(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static const auto own = openssl_own<write_fn>("SSL_write");
  ERR_clear_error();
  return own(ssl, buf, num);
}

int SSL_connect(SSL* ssl) {
  static const auto own = openssl_own<handshake_fn>("SSL_connect");
  ERR_clear_error();
  return own(ssl);
}

int SSL_accept(SSL* ssl) {
  static const auto own = openssl_own<handshake_fn>("SSL_accept");
  ERR_clear_error();
  return own(ssl);
}

} // extern "C"

namespace rt::server {

bool ssl_error_queue_guarded() noexcept {
  return true;
}

} // namespace rt::server
