#include "codec.hpp"

#include "client_loop.hpp"
#include "connection.hpp"
#include "marks.hpp"

namespace bench {

std::size_t deliver_marks(connection& c, std::string_view msg, bool json_marks, client_loop& loop) {
  auto style = json_marks ? mark_style::json : mark_style::text;
  return scan_marks(msg, marker_of(style),
                    [&](std::uint64_t seq, std::int64_t t) { loop.deliver(c, seq, t); });
}

std::unique_ptr<codec> make_codec(const bench_options& opts, std::string& error) {
  switch (opts.target) {
    case target_kind::realtime:
      return make_realtime_codec(opts, error);
    case target_kind::raw:
      return make_raw_codec(opts);
    case target_kind::sio:
      return make_sio_codec(opts);
    case target_kind::pusher:
      return make_pusher_codec(opts);
    case target_kind::mqtt:
      return make_mqtt_codec(opts);
  }
  error = "unknown target";
  return nullptr;
}

} // namespace bench
