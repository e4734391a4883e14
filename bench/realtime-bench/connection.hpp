#pragma once

// One client socket and everything the event loop keeps for it. Kept small:
// a run can hold tens of thousands of these.

#include <cstdint>
#include <string>

namespace bench {

/// Where a connection is in its life.
enum class conn_state : std::uint8_t {
  idle,       ///< not started
  connecting, ///< TCP connect in progress
  upgrading,  ///< upgrade request sent, waiting for 101
  open,       ///< WebSocket open, protocol handshake (join, subscribe) in progress
  ready,      ///< subscribed / joined: counts for deliveries
  closed,     ///< gone (by us or by the server)
};

/// What a connection is for.
enum class conn_role : std::uint8_t {
  subscriber, ///< only receives
  publisher,  ///< publishes (and, on realtime, is joined to the topic too); the
              ///< presence scenario's trackers
};

/// Per-socket state owned by `client_loop`.
struct connection {
  int fd = -1;
  conn_state state = conn_state::idle;
  conn_role role = conn_role::subscriber;
  bool write_armed = false;  ///< EPOLLOUT registered
  bool binary_message = false; ///< opcode of the message being continued
  bool was_ready = false;    ///< reached `ready` at some point
  bool stalled = false;      ///< stopped reading on purpose (a slow consumer)
  bool live = false;         ///< told "Subscribed to PostgreSQL" (changes scenario)
  std::uint8_t server = 0;   ///< index into --port (the server address it connects to)
  std::uint32_t index = 0;   ///< position in the loop's table
  std::uint32_t topic = 0;   ///< index into the loop's topic list
  std::uint32_t next_ref = 0; ///< protocol-level ref counter (heartbeats, ...)
  std::uint32_t joins_pending = 0; ///< join replies still awaited (realtime)
  std::uint32_t in_flight = 0;   ///< presence messages sent and not answered yet
  std::int64_t started_us = 0;   ///< connect() time
  std::int64_t subscribe_us = 0; ///< join / subscribe sent (0: none)
  std::uint64_t received = 0;    ///< deliveries on this socket
  std::string pending; ///< bytes of an incomplete frame, carried to the next read
  std::string out;     ///< bytes not yet written
};

} // namespace bench
