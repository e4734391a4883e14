#pragma once

// A protocol spoken over the WebSocket: how a connection subscribes, how a
// publish is framed, which messages are deliveries and which are control.
// One codec per target (realtime, raw, sio, pusher, mqtt); the event loop
// calls it on the loop's thread only.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "options.hpp"

namespace bench {

class client_loop;
struct connection;

/// The per-protocol part of a client.
class codec {
public:
  virtual ~codec() = default;

  /// Request target (path and query) of the upgrade for `c`.
  [[nodiscard]] virtual std::string target(const connection& c, const client_loop& loop) const = 0;

  /// WebSocket subprotocol to request; empty for none.
  [[nodiscard]] virtual std::string_view subprotocol() const { return {}; }

  /// The upgrade succeeded: start subscribing (or call `loop.mark_ready`).
  virtual void on_open(connection& c, client_loop& loop) = 0;

  /// One complete data message from the server. Deliveries are reported with
  /// `loop.deliver`; everything else is control (replies, pings, errors).
  virtual void on_message(connection& c, std::string_view msg, bool binary, client_loop& loop) = 0;

  /// Appends one complete WebSocket frame that publishes mark `seq` sent at
  /// `t_us` (loop-relative) to `out`, with a payload of about `size` bytes.
  virtual void append_publish(std::string& out, const connection& c, const client_loop& loop,
                              std::uint64_t seq, std::int64_t t_us) = 0;

  /// Appends one complete WebSocket frame with a presence message on `c`'s
  /// channel: a track whose meta carries mark `seq` sent at `t_us`
  /// (loop-relative), or an untrack. Its answer is reported with
  /// `loop.presence_answer`. False when the protocol has no presence.
  virtual bool append_presence(std::string& out, const connection& c, const client_loop& loop,
                               bool track, std::uint64_t seq, std::int64_t t_us) {
    (void)out;
    (void)c;
    (void)loop;
    (void)track;
    (void)seq;
    (void)t_us;
    return false;
  }

  /// Joins `count` more channels on the ready connection `c`; each ok reply
  /// is reported with `loop.count_extra_join`. False when the protocol has no
  /// such thing.
  virtual bool join_more(connection& c, client_loop& loop, int count) {
    (void)c;
    (void)loop;
    (void)count;
    return false;
  }

  /// Sends the protocol's client keep-alive, if it has one.
  virtual void heartbeat(connection& c, client_loop& loop) {
    (void)c;
    (void)loop;
  }
};

/// Reports every mark found in `msg` as a delivery to `c`; returns how many
/// were found (0: the message is control, not a delivery).
std::size_t deliver_marks(connection& c, std::string_view msg, bool json_marks, client_loop& loop);

/// The codec for `opts.target`, configured from `opts` (token, vsn, ...).
/// Returns nullptr with `error` set when the options cannot work (e.g. a
/// token that cannot be signed).
[[nodiscard]] std::unique_ptr<codec> make_codec(const bench_options& opts, std::string& error);

/// Codec factories, one per target (codec_<target>.cpp).
[[nodiscard]] std::unique_ptr<codec> make_realtime_codec(const bench_options& opts,
                                                         std::string& error);
[[nodiscard]] std::unique_ptr<codec> make_raw_codec(const bench_options& opts);
[[nodiscard]] std::unique_ptr<codec> make_sio_codec(const bench_options& opts);
[[nodiscard]] std::unique_ptr<codec> make_pusher_codec(const bench_options& opts);
[[nodiscard]] std::unique_ptr<codec> make_mqtt_codec(const bench_options& opts);

} // namespace bench
