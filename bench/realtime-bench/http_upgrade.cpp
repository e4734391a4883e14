#include "http_upgrade.hpp"

#include <charconv>

namespace bench {

void append_upgrade_request(std::string& out, std::string_view host, int port,
                            std::string_view target, std::string_view subprotocol) {
  out += "GET ";
  out += target;
  out += " HTTP/1.1\r\nHost: ";
  out += host;
  out += ':';
  out += std::to_string(port);
  // A fixed key is enough: the generator does not check Sec-WebSocket-Accept.
  out += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: cmVhbHRpbWUtYmVuY2gtMQ==\r\n"
         "Sec-WebSocket-Version: 13\r\n";
  if (!subprotocol.empty()) {
    out += "Sec-WebSocket-Protocol: ";
    out += subprotocol;
    out += "\r\n";
  }
  out += "\r\n";
}

bool parse_upgrade_answer(std::string_view data, upgrade_answer& answer) noexcept {
  auto end = data.find("\r\n\r\n");
  if (end == std::string_view::npos)
    return false;
  answer.head_size = end + 4;
  auto line_end = data.find("\r\n");
  answer.status_line = data.substr(0, line_end);
  answer.status = 0;
  // "HTTP/1.1 101 Switching Protocols"
  auto space = answer.status_line.find(' ');
  if (space != std::string_view::npos && space + 4 <= answer.status_line.size()) {
    auto digits = answer.status_line.substr(space + 1, 3);
    int status = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), status);
    if (ec == std::errc{} && ptr == digits.data() + digits.size())
      answer.status = status;
  }
  return true;
}

} // namespace bench
