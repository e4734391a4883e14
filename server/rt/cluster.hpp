#pragma once

// Clustering for programs that host an endpoint: CAF's middleman (and its
// OpenSSL module for TLS) must be loaded, and every message type that
// crosses nodes registered, before the actor system starts. The endpoint
// then publishes its membership actor on the cluster port and joins the
// seeds (endpoint::start). Cluster traffic carries every broadcast,
// presence and row change in the clear unless TLS is configured: keep the
// cluster port on a private network.

#include <caf/fwd.hpp>

#include "rt/endpoint_config.hpp"

namespace rt {

/// Prepares `caf_cfg` for `cluster` (nothing when it is disabled): loads the
/// middleman, the OpenSSL module and certificates for TLS, the middleman's
/// heartbeat and timeout, and the cross-node message types.
void prepare_cluster(caf::actor_system_config& caf_cfg, const cluster_config& cluster);

} // namespace rt
