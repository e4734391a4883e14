#include "rt/cluster.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>

#include "rt/actors/cluster_messages.hpp"
#include "rt/server/ssl_error_queue.hpp"

namespace rt {

void prepare_cluster(caf::actor_system_config& caf_cfg, const cluster_config& cluster) {
  if (!cluster.enabled())
    return;
  caf_cfg.load<caf::io::middleman>();
  // CAF leaves both at 0: a frozen or partitioned node would never be seen
  // down. Every node must use a heartbeat shorter than the others' timeout.
  caf_cfg.set("middleman.heartbeat-interval", caf::timespan{cluster.heartbeat});
  caf_cfg.set("middleman.connection-timeout", caf::timespan{cluster.timeout});
  if (cluster.tls() && server::ssl_error_queue_guarded()) {
    caf_cfg.load<caf::openssl::manager>();
    caf_cfg.openssl_certificate = cluster.tls_certificate;
    caf_cfg.openssl_key = cluster.tls_key;
    caf_cfg.openssl_cafile = cluster.tls_ca;
  }
  actors::add_cluster_types(caf_cfg);
}

} // namespace rt
