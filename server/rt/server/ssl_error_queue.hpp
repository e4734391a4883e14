#pragma once

namespace rt::server {

/// Referenced by prepare_cluster so that the linker keeps ssl_error_queue.cpp,
/// whose SSL_read, SSL_write, SSL_connect and SSL_accept empty OpenSSL's error
/// queue before each call of CAF's OpenSSL module (see there).
bool ssl_error_queue_guarded() noexcept;

} // namespace rt::server
