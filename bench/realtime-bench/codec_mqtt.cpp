// MQTT 3.1.1 over WebSocket (subprotocol "mqtt", binary frames), QoS 0:
//
//   fixed header  type(4) flags(4), remaining length (varint, 7 bits a byte)
//   CONNECT   0x10  "MQTT" level 4, clean session, keep-alive 60 s, client id
//   CONNACK   0x20  [flags, return code]          -> publisher ready / subscribe
//   SUBSCRIBE 0x82  packet id 1, topic "bench", QoS 0
//   SUBACK    0x90  [packet id, granted QoS or 0x80 failure] -> ready
//   PUBLISH   0x30  topic "bench", payload "#<seq>,<t_us>,xxx"
//   PINGREQ   0xC0 / PINGRESP 0xD0               heartbeat
//
// A WebSocket message may carry several MQTT packets; each is handled.

#include <unistd.h>

#include "client_loop.hpp"
#include "codec.hpp"
#include "marks.hpp"

namespace bench {

namespace {

constexpr std::string_view topic_name = "bench";

void append_varint(std::string& out, std::size_t value) {
  do {
    auto byte = static_cast<unsigned char>(value & 0x7F);
    value >>= 7;
    if (value != 0)
      byte |= 0x80;
    out += static_cast<char>(byte);
  } while (value != 0);
}

void append_u16_string(std::string& out, std::string_view s) {
  out += static_cast<char>(s.size() >> 8);
  out += static_cast<char>(s.size() & 0xFF);
  out += s;
}

/// One packet found in a message.
struct mqtt_packet {
  unsigned char header = 0;
  std::string_view body; // after the remaining-length field
};

// Reads the packet at `pos`; false when the bytes run out (a malformed message).
bool next_packet(std::string_view msg, std::size_t& pos, mqtt_packet& packet) {
  if (pos >= msg.size())
    return false;
  packet.header = static_cast<unsigned char>(msg[pos++]);
  std::size_t length = 0;
  for (int shift = 0; shift <= 21; shift += 7) {
    if (pos >= msg.size())
      return false;
    auto byte = static_cast<unsigned char>(msg[pos++]);
    length |= std::size_t{byte & 0x7Fu} << shift;
    if ((byte & 0x80) == 0) {
      if (msg.size() - pos < length)
        return false;
      packet.body = msg.substr(pos, length);
      pos += length;
      return true;
    }
  }
  return false;
}

class mqtt_codec final : public codec {
public:
  explicit mqtt_codec(const bench_options& opts) : size_(static_cast<std::size_t>(opts.size)) {}

  std::string target(const connection&, const client_loop&) const override { return "/mqtt"; }

  std::string_view subprotocol() const override { return "mqtt"; }

  void on_open(connection& c, client_loop& loop) override {
    std::string body;
    append_u16_string(body, "MQTT");
    body += '\x04'; // protocol level 3.1.1
    body += '\x02'; // clean session
    body += '\x00';
    body += '\x3C'; // keep-alive 60 s
    append_u16_string(body, "rb" + std::to_string(c.index) + "_" + std::to_string(getpid()));
    send_packet(c, 0x10, body, loop);
  }

  void on_message(connection& c, std::string_view msg, bool, client_loop& loop) override {
    std::size_t pos = 0;
    mqtt_packet packet;
    while (pos < msg.size()) {
      if (!next_packet(msg, pos, packet))
        return loop.protocol_error(c, "truncated MQTT packet");
      handle(c, packet, loop);
      if (c.state == conn_state::closed)
        return;
    }
  }

  void append_publish(std::string& out, const connection&, const client_loop&,
                      std::uint64_t seq, std::int64_t t_us) override {
    mark_.clear();
    append_marked_payload(mark_, mark_style::text, seq, t_us, size_);
    packet_.assign(1, '\x30');
    append_varint(packet_, 2 + topic_name.size() + mark_.size());
    append_u16_string(packet_, topic_name);
    packet_ += mark_;
    append_client_frame(out, ws_opcode::binary, packet_);
  }

  void heartbeat(connection& c, client_loop& loop) override {
    loop.count_heartbeat_sent();
    send_packet(c, 0xC0, {}, loop);
  }

private:
  void send_packet(connection& c, unsigned char header, std::string_view body, client_loop& loop) {
    packet_.assign(1, static_cast<char>(header));
    append_varint(packet_, body.size());
    packet_ += body;
    loop.send(c, ws_opcode::binary, packet_);
  }

  void handle(connection& c, const mqtt_packet& p, client_loop& loop) {
    switch (p.header >> 4) {
      case 3:
        return on_publish(c, p, loop);
      case 2:
        return on_connack(c, p, loop);
      case 9:
        if (p.body.size() >= 3 && static_cast<unsigned char>(p.body[2]) == 0x80)
          return loop.report_error(c, "SUBACK refused the subscription", true);
        return loop.mark_ready(c);
      case 13:
        return loop.count_heartbeat_answer();
      default:
        return loop.report_unexpected(p.body);
    }
  }

  void on_publish(connection& c, const mqtt_packet& p, client_loop& loop) {
    if (p.body.size() < 2)
      return loop.protocol_error(c, "short PUBLISH");
    std::size_t skip = 2 + ((static_cast<std::size_t>(static_cast<unsigned char>(p.body[0])) << 8) |
                            static_cast<unsigned char>(p.body[1]));
    if ((p.header & 0x06) != 0)
      skip += 2; // packet id of QoS 1 and 2
    if (skip > p.body.size())
      return loop.protocol_error(c, "short PUBLISH");
    auto found = scan_marks(p.body.substr(skip), marker_of(mark_style::text),
                            [&](std::uint64_t seq, std::int64_t t) { loop.deliver(c, seq, t); });
    if (found == 0)
      loop.report_unexpected(p.body);
  }

  void on_connack(connection& c, const mqtt_packet& p, client_loop& loop) {
    if (p.body.size() < 2 || p.body[1] != 0)
      return loop.report_error(c, "CONNACK refused the connection", true);
    if (c.role == conn_role::publisher)
      return loop.mark_ready(c);
    std::string body{"\x00\x01", 2}; // packet id 1
    append_u16_string(body, topic_name);
    body += '\x00'; // QoS 0
    c.subscribe_us = now_us();
    send_packet(c, 0x82, body, loop);
  }

  std::size_t size_;
  std::string mark_;
  std::string packet_;
};

} // namespace

std::unique_ptr<codec> make_mqtt_codec(const bench_options& opts) {
  return std::make_unique<mqtt_codec>(opts);
}

} // namespace bench
