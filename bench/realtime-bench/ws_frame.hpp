#pragma once

// RFC 6455 framing from the client's side.
//
//   byte 0   FIN(1) RSV(3) opcode(4)
//   byte 1   MASK(1) length(7): 0-125, or 126 + 16-bit length, or 127 + 64-bit
//   [mask key, 4 bytes: client frames only]
//   payload
//
// Client frames are masked with the all-zero key, which RFC 6455 allows and
// which leaves the payload bytes unchanged, so a frame is built with one copy.
// Server frames are never masked.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rt/protocol/wire_frame.hpp"

namespace bench {

/// WebSocket opcodes, shared with the server's framing.
using ws_opcode = rt::protocol::opcode;

/// Largest header a client frame can have (2 + 8 length bytes + 4 mask bytes).
inline constexpr std::size_t max_client_header = 14;

/// Writes the header of a final, zero-masked client frame of `length` bytes
/// into `out` (at least `max_client_header` bytes); returns its size.
std::size_t write_client_header(unsigned char* out, ws_opcode op, std::size_t length) noexcept;

/// Appends a complete client frame carrying `payload` to `out`.
void append_client_frame(std::string& out, ws_opcode op, std::string_view payload);

/// One parsed server frame.
struct server_frame {
  ws_opcode op = ws_opcode::text;
  bool fin = true;
  std::string_view payload; ///< points into the parsed buffer
  std::size_t size = 0;     ///< header + payload bytes consumed
};

/// What `parse_server_frame` found at the start of a buffer.
enum class parse_status : std::uint8_t {
  complete,   ///< a whole frame; see `server_frame`
  incomplete, ///< need more bytes; `needed` says how many in total
  invalid,    ///< masked or reserved bits set, or length past 2^62
};

/// Parses the frame at the start of `data` without copying. On `incomplete`,
/// `needed` holds the total size of the frame when the header is known
/// (0 otherwise).
parse_status parse_server_frame(std::string_view data, server_frame& frame,
                                std::size_t& needed) noexcept;

} // namespace bench
