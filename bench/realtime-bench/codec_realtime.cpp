// Supabase Realtime / Phoenix Channels (see realtime_frames.hpp for the
// frames). A socket is ready once its phx_join got an ok reply. Deliveries are
// text broadcasts [null,null,T,"broadcast",{...{"s":..}}] (vsn 2), the object
// form (vsn 1), or binary kind-4 user broadcasts; all carry the JSON mark.
// Control messages are split with rt::protocol's JSON text helpers.

#include <chrono>
#include <optional>
#include <vector>

#include <boost/json/object.hpp>

#include "client_loop.hpp"
#include "codec.hpp"
#include "marks.hpp"
#include "realtime_frames.hpp"
#include "rt/protocol/json_text.hpp"
#include "rt/protocol/jwt.hpp"

namespace bench {

namespace {

/// The parts of a server message that control handling needs (raw JSON text).
struct phx_message {
  std::string_view ref;     // e.g. "\"1\"" or null
  std::string_view event;   // e.g. "\"phx_reply\""
  std::string_view payload; // JSON object text
};

bool split_v2(std::string_view msg, phx_message& out) {
  auto elements = rt::protocol::json_array_elements(msg);
  if (!elements || elements->size() < 5)
    return false;
  out.ref = (*elements)[1];
  out.event = (*elements)[3];
  out.payload = (*elements)[4];
  return true;
}

bool split_v1(std::string_view msg, phx_message& out) {
  auto members = rt::protocol::json_object_members(msg);
  if (!members)
    return false;
  for (const auto& m : *members) {
    if (m.key_token == "\"ref\"")
      out.ref = m.value;
    else if (m.key_token == "\"event\"")
      out.event = m.value;
    else if (m.key_token == "\"payload\"")
      out.payload = m.value;
  }
  return !out.event.empty();
}

bool status_ok(std::string_view payload) {
  return payload.find("\"status\":\"ok\"") != std::string_view::npos;
}

std::optional<std::string> signed_token(const bench_options& opts) {
  if (!opts.token.empty())
    return opts.token;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  boost::json::object claims;
  claims["role"] = "anon";
  claims["iat"] = now;
  claims["exp"] = now + 3600;
  return rt::protocol::sign_jwt("HS256", opts.jwt_secret, claims);
}

class realtime_codec final : public codec {
public:
  realtime_codec(const bench_options& opts, std::string token)
    : vsn_(opts.vsn == 2 ? phx_vsn::v2 : phx_vsn::v1),
      binary_(opts.binary),
      size_(static_cast<std::size_t>(opts.size)),
      token_(std::move(token)),
      join_payload_(make_join_payload(token_)),
      path_(opts.path) {}

  std::string target(const connection&, const client_loop&) const override {
    return path_ + "?apikey=" + token_ + (vsn_ == phx_vsn::v2 ? "&vsn=2.0.0" : "&vsn=1.0.0");
  }

  bool join_more(connection& c, client_loop& loop, int count) override {
    for (int k = 2; k <= count + 1; ++k) {
      auto ref = std::to_string(k);
      auto topic = rt::protocol::json_string(loop.topic(c) + ":" + ref);
      scratch_.clear();
      append_phx_text(scratch_, vsn_, ref, ref, topic, "phx_join", join_payload_);
      append_client_frame(c.out, ws_opcode::text, scratch_);
    }
    c.joins_pending += static_cast<std::uint32_t>(count);
    loop.flush(c);
    return true;
  }

  void on_open(connection& c, client_loop& loop) override {
    c.joins_pending = 1;
    scratch_.clear();
    append_phx_text(scratch_, vsn_, join_ref, join_ref, quoted_topic(c, loop), "phx_join",
                    join_payload_);
    c.subscribe_us = now_us();
    loop.send(c, ws_opcode::text, scratch_);
  }

  void on_message(connection& c, std::string_view msg, bool binary, client_loop& loop) override {
    auto found = deliver_marks(c, msg, true, loop);
    if (found > 0)
      return;
    if (binary)
      return loop.report_unexpected(msg.substr(0, 64));
    control(c, msg, loop);
  }

  void append_publish(std::string& out, const connection& c, const client_loop& loop,
                      std::uint64_t seq, std::int64_t t_us) override {
    mark_.clear();
    append_marked_payload(mark_, mark_style::json, seq, t_us, size_);
    auto ref = std::to_string(seq);
    scratch_.clear();
    if (binary_) {
      append_user_broadcast_push(scratch_, join_ref, ref, loop.topic(c), "b", mark_);
      return append_client_frame(out, ws_opcode::binary, scratch_);
    }
    body_.clear();
    body_ += R"({"type":"broadcast","event":"b","payload":)";
    body_ += mark_;
    body_ += '}';
    append_phx_text(scratch_, vsn_, join_ref, ref, quoted_topic(c, loop), "broadcast", body_);
    append_client_frame(out, ws_opcode::text, scratch_);
  }

  void heartbeat(connection& c, client_loop& loop) override {
    auto ref = "h" + std::to_string(++c.next_ref);
    scratch_.clear();
    append_phx_text(scratch_, vsn_, {}, ref, "\"phoenix\"", "heartbeat", "{}");
    loop.count_heartbeat_sent();
    loop.send(c, ws_opcode::text, scratch_);
  }

private:
  const std::string& quoted_topic(const connection& c, const client_loop& loop) {
    if (quoted_.size() <= c.topic)
      quoted_.resize(c.topic + 1);
    auto& q = quoted_[c.topic];
    if (q.empty())
      q = rt::protocol::json_string(loop.topic(c));
    return q;
  }

  void control(connection& c, std::string_view msg, client_loop& loop) {
    phx_message m;
    bool parsed = vsn_ == phx_vsn::v2 ? split_v2(msg, m) : split_v1(msg, m);
    if (!parsed)
      return loop.report_unexpected(msg);
    if (m.event == "\"phx_reply\"")
      return reply(c, m, msg, loop);
    if (m.event == "\"phx_close\"" || m.event == "\"phx_error\"")
      return loop.report_channel_close(c, msg);
    if (m.event == "\"system\"" && !status_ok(m.payload))
      return loop.report_error(c, msg, false);
    loop.report_unexpected(msg);
  }

  void reply(connection& c, const phx_message& m, std::string_view msg, client_loop& loop) {
    bool ok = status_ok(m.payload);
    if (m.ref.rfind("\"h", 0) == 0) {
      if (!ok)
        return loop.report_error(c, msg, false);
      return loop.count_heartbeat_answer();
    }
    if (c.joins_pending > 0 && is_join_ref(m.ref)) {
      --c.joins_pending;
      bool first = c.state != conn_state::ready;
      if (!ok) // a refused first join leaves a socket that will never receive
        return loop.report_error(c, msg, first);
      return first ? loop.mark_ready(c) : loop.count_extra_join();
    }
    if (!ok)
      return loop.report_error(c, msg, false);
    loop.report_unexpected(msg);
  }

  // Join refs are the quoted decimals "1" .. "100" (--joins-per-socket).
  static constexpr int max_join_ref = 100;
  bool is_join_ref(std::string_view ref) const {
    if (ref.size() < 3 || ref.front() != '"' || ref.back() != '"')
      return false;
    int value = 0;
    for (auto ch : ref.substr(1, ref.size() - 2)) {
      if (ch < '0' || ch > '9')
        return false;
      value = value * 10 + (ch - '0');
    }
    return value >= 1 && value <= max_join_ref;
  }

  phx_vsn vsn_;
  bool binary_;
  std::size_t size_;
  std::string token_;
  std::string join_payload_;
  std::string path_;
  std::vector<std::string> quoted_;
  std::string scratch_;
  std::string mark_;
  std::string body_;
};

} // namespace

std::unique_ptr<codec> make_realtime_codec(const bench_options& opts, std::string& error) {
  auto token = signed_token(opts);
  if (!token) {
    error = "cannot sign a token with --jwt-secret";
    return nullptr;
  }
  if (opts.topic.size() > 255) {
    error = "--topic is longer than 255 bytes";
    return nullptr;
  }
  return std::make_unique<realtime_codec>(opts, std::move(*token));
}

} // namespace bench
