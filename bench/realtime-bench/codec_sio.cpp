// Engine.IO 4 / Socket.IO 4 over a WebSocket transport:
//
//   server: 0{"sid":..,"pingInterval":..}   open        -> client: 40 (connect "/")
//   server: 40{"sid":..}                    connected   -> ready
//   server: 2                               ping        -> client: 3 (pong)
//   both:   42["m","#<seq>,<t_us>,xxx"]     event "m"
//   server: 44{...} connect error, 41 disconnect
//
// The publisher connects with &pub=1; the server re-emits its "m" events to
// the room every subscriber joined.

#include "client_loop.hpp"
#include "codec.hpp"
#include "marks.hpp"

namespace bench {

namespace {

class sio_codec final : public codec {
public:
  explicit sio_codec(const bench_options& opts) : size_(static_cast<std::size_t>(opts.size)) {}

  std::string target(const connection& c, const client_loop&) const override {
    std::string path = "/socket.io/?EIO=4&transport=websocket";
    if (c.role == conn_role::publisher)
      path += "&pub=1";
    return path;
  }

  void on_open(connection&, client_loop&) override {}

  void on_message(connection& c, std::string_view msg, bool, client_loop& loop) override {
    auto found = deliver_marks(c, msg, false, loop);
    if (found == 0)
      control(c, msg, loop);
  }

  void append_publish(std::string& out, const connection&, const client_loop&,
                      std::uint64_t seq, std::int64_t t_us) override {
    frame_.assign(R"(42["m",")");
    append_marked_payload(frame_, mark_style::text, seq, t_us, size_);
    frame_ += "\"]";
    append_client_frame(out, ws_opcode::text, frame_);
  }

private:
  static void control(connection& c, std::string_view msg, client_loop& loop) {
    if (msg == "2")
      return loop.send(c, ws_opcode::text, "3");
    if (msg.rfind("40", 0) == 0)
      return loop.mark_ready(c);
    if (msg.rfind("44", 0) == 0)
      return loop.report_error(c, msg, true);
    if (msg.rfind("41", 0) == 0)
      return loop.report_channel_close(c, msg);
    if (!msg.empty() && msg[0] == '0') {
      c.subscribe_us = now_us();
      return loop.send(c, ws_opcode::text, "40");
    }
    loop.report_unexpected(msg);
  }

  std::size_t size_;
  std::string frame_;
};

} // namespace

std::unique_ptr<codec> make_sio_codec(const bench_options& opts) {
  return std::make_unique<sio_codec>(opts);
}

} // namespace bench
