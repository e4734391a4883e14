#pragma once

// Pieces of the WebSocket opening handshake (RFC 6455 section 4.2) that are
// pure functions of header values.

#include <string>
#include <string_view>

namespace rt::protocol {

/// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key:
/// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
std::string websocket_accept(std::string_view key);

/// True when `key` is a valid Sec-WebSocket-Key: base64 of 16 bytes.
bool valid_websocket_key(std::string_view key) noexcept;

/// True when the comma-separated header `value` lists `token`, compared
/// without regard to case (e.g. Connection: keep-alive, Upgrade).
bool header_lists(std::string_view value, std::string_view token) noexcept;

} // namespace rt::protocol
