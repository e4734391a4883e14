#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace rt::actors {

/// Whether a TCP connection to `host`:`port` opens within `limit` (then it is
/// closed at once). Blocking; for dialer threads. CAF's own connect has no
/// time limit, so a dial probes first: an address that drops packets costs
/// `limit`, not minutes of SYN retries (which would also hold up shutdown).
bool tcp_reachable(const std::string& host, std::uint16_t port, std::chrono::milliseconds limit);

} // namespace rt::actors
