#pragma once

// CAF's OpenSSL module reads the certificate files at each connection, and a
// file it cannot use then ends the process (or hangs the dialing side). So
// the node checks them once at startup, the way that module loads them.

#include <tl/expected.hpp>

#include "rt/endpoint_config.hpp"

namespace rt::server {

/// Loads `c`'s certificate chain, key and CA as CAF's OpenSSL module will,
/// and checks that the key matches and the certificate verifies against the
/// CA. Returns a message for the user on error.
tl::expected<void, std::string> check_cluster_tls(const cluster_config& c);

} // namespace rt::server
