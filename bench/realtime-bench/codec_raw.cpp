// Raw text frames (ws, uWebSockets.js, nchan): subscribers connect to the
// subscriber path and are ready as soon as the upgrade succeeds; the publisher
// connects to the publisher path and sends each message as one text frame,
// "#<seq>,<t_us>,xxx...", which the server relays unchanged. Text sent back to
// the publisher (nchan answers every publish with the channel's state) is
// counted as a publisher reply.

#include "client_loop.hpp"
#include "codec.hpp"
#include "marks.hpp"

namespace bench {

namespace {

class raw_codec final : public codec {
public:
  explicit raw_codec(const bench_options& opts)
    : sub_path_(opts.sub_path), pub_path_(opts.pub_path),
      size_(static_cast<std::size_t>(opts.size)) {}

  std::string target(const connection& c, const client_loop&) const override {
    return c.role == conn_role::publisher ? pub_path_ : sub_path_;
  }

  void on_open(connection& c, client_loop& loop) override { loop.mark_ready(c); }

  void on_message(connection& c, std::string_view msg, bool, client_loop& loop) override {
    auto found = deliver_marks(c, msg, false, loop);
    if (found > 0)
      return;
    if (c.role == conn_role::publisher)
      return loop.count_publisher_reply();
    loop.report_unexpected(msg);
  }

  void append_publish(std::string& out, const connection&, const client_loop&,
                      std::uint64_t seq, std::int64_t t_us) override {
    mark_.clear();
    append_marked_payload(mark_, mark_style::text, seq, t_us, size_);
    append_client_frame(out, ws_opcode::text, mark_);
  }

private:
  std::string sub_path_;
  std::string pub_path_;
  std::size_t size_;
  std::string mark_;
};

} // namespace

std::unique_ptr<codec> make_raw_codec(const bench_options& opts) {
  return std::make_unique<raw_codec>(opts);
}

} // namespace bench
