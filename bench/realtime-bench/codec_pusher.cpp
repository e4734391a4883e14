// Pusher protocol 7 (soketi):
//
//   connect /app/<key>?protocol=7&client=rb&version=1
//   server: {"event":"pusher:connection_established","data":"{\"socket_id\":\"1.2\",...}"}
//   client: {"event":"pusher:subscribe","data":{"channel":"private-bench",
//            "auth":"<key>:<hex HMAC-SHA256(secret, socket_id + ':private-bench')>"}}
//   server: {"event":"pusher_internal:subscription_succeeded",...}  -> ready
//   client event: {"event":"client-m","channel":"private-bench","data":"#<seq>,<t_us>,xxx"}
//   pusher:ping <-> pusher:pong in both directions; pusher:error is an error.
//
// The publisher subscribes too (client events need a subscribed private
// channel); Pusher does not echo client events to their sender.

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "client_loop.hpp"
#include "codec.hpp"
#include "marks.hpp"

namespace bench {

namespace {

constexpr std::string_view channel = "private-bench";

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// socket_id from the escaped JSON string in `data`: skips \":" and reads up
// to the next backslash or quote.
std::string_view socket_id_of(std::string_view msg) {
  auto at = msg.find("socket_id");
  if (at == std::string_view::npos)
    return {};
  at += 9;
  while (at < msg.size() && (msg[at] == '\\' || msg[at] == '"' || msg[at] == ':' || msg[at] == ' '))
    ++at;
  auto end = at;
  while (end < msg.size() && msg[end] != '\\' && msg[end] != '"')
    ++end;
  return msg.substr(at, end - at);
}

std::string hex_hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_len);
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < mac_len; ++i) {
    hex += digits[mac[i] >> 4];
    hex += digits[mac[i] & 15];
  }
  return hex;
}

class pusher_codec final : public codec {
public:
  explicit pusher_codec(const bench_options& opts)
    : key_(opts.app_key), secret_(opts.app_secret), size_(static_cast<std::size_t>(opts.size)) {}

  std::string target(const connection&, const client_loop&) const override {
    return "/app/" + key_ + "?protocol=7&client=rb&version=1";
  }

  void on_open(connection&, client_loop&) override {}

  void on_message(connection& c, std::string_view msg, bool, client_loop& loop) override {
    auto found = deliver_marks(c, msg, false, loop);
    if (found == 0)
      control(c, msg, loop);
  }

  void append_publish(std::string& out, const connection&, const client_loop&,
                      std::uint64_t seq, std::int64_t t_us) override {
    frame_.assign(R"({"event":"client-m","channel":"private-bench","data":")");
    append_marked_payload(frame_, mark_style::text, seq, t_us, size_);
    frame_ += "\"}";
    append_client_frame(out, ws_opcode::text, frame_);
  }

  void heartbeat(connection& c, client_loop& loop) override {
    loop.count_heartbeat_sent();
    loop.send(c, ws_opcode::text, R"({"event":"pusher:ping","data":{}})");
  }

private:
  void control(connection& c, std::string_view msg, client_loop& loop) {
    if (contains(msg, "pusher:connection_established"))
      return subscribe(c, msg, loop);
    if (contains(msg, "pusher_internal:subscription_succeeded"))
      return loop.mark_ready(c);
    if (contains(msg, "pusher:ping"))
      return loop.send(c, ws_opcode::text, R"({"event":"pusher:pong","data":{}})");
    if (contains(msg, "pusher:pong"))
      return loop.count_heartbeat_answer();
    if (contains(msg, "pusher:error") || contains(msg, "subscription_error"))
      return loop.report_error(c, msg, c.state != conn_state::ready);
    loop.report_unexpected(msg);
  }

  void subscribe(connection& c, std::string_view msg, client_loop& loop) {
    auto id = socket_id_of(msg);
    if (id.empty())
      return loop.protocol_error(c, msg);
    std::string signed_part{id};
    signed_part += ':';
    signed_part += channel;
    std::string sub = R"({"event":"pusher:subscribe","data":{"channel":"private-bench","auth":")";
    sub += key_;
    sub += ':';
    sub += hex_hmac_sha256(secret_, signed_part);
    sub += "\"}}";
    c.subscribe_us = now_us();
    loop.send(c, ws_opcode::text, sub);
  }

  std::string key_;
  std::string secret_;
  std::size_t size_;
  std::string frame_;
};

} // namespace

std::unique_ptr<codec> make_pusher_codec(const bench_options& opts) {
  return std::make_unique<pusher_codec>(opts);
}

} // namespace bench
