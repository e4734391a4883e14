#pragma once

// Everything the server did that was not a plain delivery: refusals, closes,
// error replies. Nothing is ignored silently; each kind is counted and the
// first few texts are kept as evidence.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

/// Counts of connection problems and server-side errors.
struct error_tally {
  std::uint64_t connect_failed = 0;   ///< socket, bind or TCP connect errors
  std::uint64_t refused = 0;          ///< upgrade answered with a status other than 101
  std::uint64_t close_frames = 0;     ///< WebSocket close frames sent by the server
  std::uint64_t disconnects = 0;      ///< EOF or reset without a close frame
  std::uint64_t error_replies = 0;    ///< protocol-level errors (error reply, pusher:error, ...)
  std::uint64_t channel_closes = 0;   ///< phx_close / phx_error pushed by the server
  std::uint64_t protocol_errors = 0;  ///< frames or answers that could not be parsed
  std::uint64_t unexpected = 0;       ///< well-formed messages nobody asked for
  std::uint64_t failed_before_ready = 0; ///< connections lost before they were ready
  std::uint64_t lost_after_ready = 0;    ///< ready connections lost during the run
  std::vector<std::string> samples;   ///< the first texts, for the report

  /// Keeps `text` (shortened, printable ASCII) as evidence if fewer than 10
  /// distinct texts are kept.
  void note(std::string_view kind, std::string_view text);

  /// Sum of every error kind (not `unexpected`).
  [[nodiscard]] std::uint64_t total() const noexcept {
    return connect_failed + refused + close_frames + disconnects + error_replies +
           channel_closes + protocol_errors;
  }
};

} // namespace bench
