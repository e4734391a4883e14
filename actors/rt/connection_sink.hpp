#pragma once

#include <cstdint>
#include <string>

#include "rt/protocol/wire_frame.hpp"

namespace rt {

/// The write side of one client connection. Every actor that emits frames to
/// the client (its socket, its channels, the pubsub fan-out) holds a shared
/// pointer to it. All members are thread-safe and never block.
class connection_sink {
public:
  virtual ~connection_sink() = default;

  /// Queues `frame` for writing. Returns false when the connection is closing
  /// or closed, or when the frame did not fit into the bounded outbound queue;
  /// in the latter case the connection is closed as a slow consumer.
  virtual bool send(protocol::shared_frame frame) = 0;

  /// Sends a close frame with `code` and `reason` after the frames already
  /// queued, then shuts the connection down.
  virtual void close(std::uint16_t code, std::string reason) = 0;

  /// Tells the transport that one inbound message was fully handled, so it may
  /// read more (inbound flow control).
  virtual void consumed() = 0;

  /// What send_tracked() did with a frame.
  struct receipt {
    /// False when the frame was not queued (as send() returning false).
    bool accepted = false;
    /// Pass to flushed_through() to learn when the frame left the process.
    std::uint64_t mark = 0;
    /// Bytes queued after it, this frame included.
    std::size_t queued_bytes = 0;
  };

  /// send() for a producer that must know when its frames were written (the
  /// replication stream confirms a transaction only then) and that slows
  /// down instead of overrunning the bound.
  virtual receipt send_tracked(protocol::shared_frame frame) = 0;

  /// True when every frame queued up to the one `mark` names was handed to
  /// the operating system (which delivers it even if this process dies), or
  /// the connection is closing or closed.
  virtual bool flushed_through(std::uint64_t mark) const = 0;

  /// Bytes queued and not yet handed to the socket; 0 once the connection is
  /// closing or closed.
  virtual std::size_t queued_bytes() const = 0;

  /// The bound send() enforces, in bytes.
  virtual std::size_t max_queued_bytes() const = 0;
};

} // namespace rt
