#pragma once

// The embeddable server: a listening endpoint whose connections run on the
// caller's CAF actor system. The `realtime` executable is a thin main() around
// this class; an application can start one next to its own actors and add
// its own channel routes.

#include <cstdint>
#include <memory>
#include <vector>

#include <caf/fwd.hpp>
#include <tl/expected.hpp>

#include "rt/channel.hpp"
#include "rt/endpoint_config.hpp"

namespace rt {

class endpoint {
public:
  ~endpoint();
  endpoint(endpoint&&) noexcept;
  endpoint& operator=(endpoint&&) noexcept;

  /// Starts listening on `cfg.bind_address:cfg.port` with `cfg.io_threads`
  /// network threads. `routes` are served before the built-in `realtime:*`
  /// route. Errors (as a message): bad address, port in use.
  [[nodiscard]] static tl::expected<endpoint, std::string>
  start(caf::actor_system& sys, endpoint_config cfg, std::vector<channel_route> routes = {});

  /// The port actually bound (useful with port 0).
  std::uint16_t port() const noexcept;

  /// Stops accepting, refuses new joins, closes every connection with 1001
  /// and joins the network threads. Idempotent.
  void stop();

private:
  struct impl;
  explicit endpoint(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace rt
