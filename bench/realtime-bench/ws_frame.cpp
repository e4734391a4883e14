#include "ws_frame.hpp"

namespace bench {

std::size_t write_client_header(unsigned char* out, ws_opcode op, std::size_t length) noexcept {
  std::size_t n = 0;
  out[n++] = static_cast<unsigned char>(0x80 | static_cast<unsigned>(op));
  if (length < 126) {
    out[n++] = static_cast<unsigned char>(0x80 | length);
  } else if (length < 65536) {
    out[n++] = 0x80 | 126;
    out[n++] = static_cast<unsigned char>(length >> 8);
    out[n++] = static_cast<unsigned char>(length);
  } else {
    out[n++] = 0x80 | 127;
    for (int shift = 56; shift >= 0; shift -= 8)
      out[n++] = static_cast<unsigned char>(static_cast<std::uint64_t>(length) >> shift);
  }
  for (int i = 0; i < 4; ++i)
    out[n++] = 0; // zero mask key
  return n;
}

void append_client_frame(std::string& out, ws_opcode op, std::string_view payload) {
  unsigned char header[max_client_header];
  auto n = write_client_header(header, op, payload.size());
  out.append(reinterpret_cast<const char*>(header), n);
  out.append(payload);
}

parse_status parse_server_frame(std::string_view data, server_frame& frame,
                                std::size_t& needed) noexcept {
  needed = 0;
  if (data.size() < 2)
    return parse_status::incomplete;
  auto b0 = static_cast<unsigned char>(data[0]);
  auto b1 = static_cast<unsigned char>(data[1]);
  if ((b0 & 0x70) != 0 || (b1 & 0x80) != 0)
    return parse_status::invalid;
  std::uint64_t length = b1 & 0x7F;
  std::size_t header = 2;
  if (length == 126) {
    if (data.size() < 4)
      return parse_status::incomplete;
    length = (std::uint64_t{static_cast<unsigned char>(data[2])} << 8) |
             static_cast<unsigned char>(data[3]);
    header = 4;
  } else if (length == 127) {
    if (data.size() < 10)
      return parse_status::incomplete;
    length = 0;
    for (std::size_t i = 2; i < 10; ++i)
      length = (length << 8) | static_cast<unsigned char>(data[i]);
    if (length > (std::uint64_t{1} << 62))
      return parse_status::invalid;
    header = 10;
  }
  auto total = header + static_cast<std::size_t>(length);
  if (data.size() < total) {
    needed = total;
    return parse_status::incomplete;
  }
  frame.op = static_cast<ws_opcode>(b0 & 0x0F);
  frame.fin = (b0 & 0x80) != 0;
  frame.payload = data.substr(header, static_cast<std::size_t>(length));
  frame.size = total;
  return parse_status::complete;
}

} // namespace bench
