#pragma once

// The HTTP/1.1 upgrade that opens a WebSocket (RFC 6455 section 4):
//
//   GET <target> HTTP/1.1
//   Host, Upgrade: websocket, Connection: Upgrade,
//   Sec-WebSocket-Key, Sec-WebSocket-Version: 13 [, Sec-WebSocket-Protocol]
//
// and the server's answer, of which only the status line and the end of the
// head matter here: 101 opens the socket, anything else is a refusal.

#include <cstddef>
#include <string>
#include <string_view>

namespace bench {

/// Appends an upgrade request for `target` (path and query) to `out`.
/// `subprotocol` may be empty.
void append_upgrade_request(std::string& out, std::string_view host, int port,
                            std::string_view target, std::string_view subprotocol);

/// The parsed head of the server's answer.
struct upgrade_answer {
  int status = 0;                ///< HTTP status code; 0 when the line is unreadable
  std::size_t head_size = 0;     ///< bytes up to and including the blank line
  std::string_view status_line;  ///< first line, without CRLF
};

/// Looks for a complete response head at the start of `data`; returns false
/// when more bytes are needed.
bool parse_upgrade_answer(std::string_view data, upgrade_answer& answer) noexcept;

} // namespace bench
