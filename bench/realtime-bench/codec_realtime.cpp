// Supabase Realtime / Phoenix Channels (see realtime_frames.hpp for the
// frames). A socket is ready once its phx_join got an ok reply. Deliveries are
// text broadcasts [null,null,T,"broadcast",{...{"s":..}}] (vsn 2), the object
// form (vsn 1), or binary kind-4 user broadcasts; all carry the JSON mark.
// Control messages are split with rt::protocol's JSON text helpers.
//
// In the changes scenario the join carries one postgres_changes binding;
// "Subscribed to PostgreSQL" (a system push with status ok) marks the socket
// live, and every postgres_changes push is a delivery: the record's id and
// timestamp columns are read from payload.data.record.
//
// In the presence scenario every channel joins with presence enabled and a
// key of its own ("o<index>" for observers, "k<index>" for trackers).
// Trackers send `presence` messages: a track whose meta is the JSON mark
// (ref "p<seq>.<t>") or an untrack (ref "u<seq>.<t>"); the ref carries the
// send time, so the answer is timed without a table. Every presence_diff push
// is a delivery; the marks in its joins are latency samples.
//
// With --private every join sets config.private: the server asks
// realtime.messages' policies before it answers.

#include <chrono>
#include <optional>
#include <vector>

#include <boost/json/object.hpp>

#include "client_loop.hpp"
#include "codec.hpp"
#include "iso_time.hpp"
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

// The value of member `key_token` (quoted key) of JSON object `object`.
std::string_view member(std::string_view object, std::string_view key_token) {
  auto members = rt::protocol::json_object_members(object);
  if (!members)
    return {};
  for (const auto& m : *members)
    if (m.key_token == key_token)
      return m.value;
  return {};
}

// A JSON integer, or a string holding one (int8 as text).
bool integer_value(std::string_view v, std::uint64_t& out) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
    v = v.substr(1, v.size() - 2);
  if (v.empty())
    return false;
  std::uint64_t n = 0;
  for (auto ch : v) {
    unsigned d = static_cast<unsigned char>(ch) - '0';
    if (d > 9)
      return false;
    n = n * 10 + d;
  }
  out = n;
  return true;
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
      changes_(opts.scenario == scenario_kind::changes),
      presence_(opts.scenario == scenario_kind::presence),
      token_(std::move(token)),
      private_(opts.private_channels),
      changes_binding_(changes_ ? make_changes_binding(opts.event, opts.schema, opts.table,
                                                       opts.filter)
                                : "[]"),
      join_payload_(make_join_payload(token_, {changes_binding_, {}, private_})),
      path_(opts.path),
      id_key_(rt::protocol::json_string(opts.id_column)),
      ts_key_(rt::protocol::json_string(opts.ts_column)) {}

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
    if (presence_) {
      auto key = (c.role == conn_role::publisher ? "k" : "o") + std::to_string(c.index);
      append_phx_text(scratch_, vsn_, join_ref, join_ref, quoted_topic(c, loop), "phx_join",
                      make_join_payload(token_, {"[]", key, private_}));
    } else {
      append_phx_text(scratch_, vsn_, join_ref, join_ref, quoted_topic(c, loop), "phx_join",
                      join_payload_);
    }
    c.subscribe_us = now_us();
    loop.send(c, ws_opcode::text, scratch_);
  }

  void on_message(connection& c, std::string_view msg, bool binary, client_loop& loop) override {
    if (presence_ && !binary && msg.find("\"presence_diff\"") != std::string_view::npos) {
      loop.presence_diff(c);
      scan_presence_joins(msg, [&](std::int64_t t) { loop.presence_mark(c, t); });
      return;
    }
    // Presence metas carry marks too: only presence_diff pushes count there.
    auto found = changes_ || presence_ ? 0 : deliver_marks(c, msg, true, loop);
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

  bool append_presence(std::string& out, const connection& c, const client_loop& loop, bool track,
                       std::uint64_t seq, std::int64_t t_us) override {
    auto ref = (track ? "p" : "u") + std::to_string(seq) + "." +
               std::to_string(t_us < 0 ? 0 : t_us);
    body_.clear();
    if (track) {
      mark_.clear();
      append_marked_payload(mark_, mark_style::json, seq, t_us, size_);
      body_ += R"({"type":"presence","event":"track","payload":)";
      body_ += mark_;
      body_ += '}';
    } else {
      body_ += R"({"type":"presence","event":"untrack"})";
    }
    scratch_.clear();
    append_phx_text(scratch_, vsn_, join_ref, ref, quoted_topic(c, loop), "presence", body_);
    append_client_frame(out, ws_opcode::text, scratch_);
    return true;
  }

  void heartbeat(connection& c, client_loop& loop) override {
    auto ref = "h" + std::to_string(++c.next_ref);
    scratch_.clear();
    append_phx_text(scratch_, vsn_, {}, ref, "\"phoenix\"", "heartbeat", "{}");
    loop.count_heartbeat_sent();
    loop.send(c, ws_opcode::text, scratch_);
  }

private:
  // The send time in a presence message's ref "p<seq>.<t>" / "u<seq>.<t>"
  // (quoted); false when `ref` is not one.
  static bool presence_ref(std::string_view ref, bool& track, std::int64_t& t_us) {
    if (ref.size() < 5 || ref.front() != '"' || ref.back() != '"' ||
        (ref[1] != 'p' && ref[1] != 'u'))
      return false;
    auto dot = ref.find('.');
    if (dot == std::string_view::npos)
      return false;
    std::uint64_t t = 0;
    if (!integer_value(ref.substr(dot + 1, ref.size() - dot - 2), t))
      return false;
    track = ref[1] == 'p';
    t_us = static_cast<std::int64_t>(t);
    return true;
  }

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
    if (changes_ && m.event == "\"postgres_changes\"")
      return change(c, m.payload, loop);
    if (presence_ && m.event == "\"presence_state\"")
      return loop.presence_state(c);
    if (m.event == "\"system\"" && !status_ok(m.payload))
      return loop.report_error(c, msg, false);
    if (changes_ && m.event == "\"system\"" &&
        m.payload.find("Subscribed to PostgreSQL") != std::string_view::npos)
      return loop.mark_live(c);
    loop.report_unexpected(msg);
  }

  // payload: {"ids":[..],"data":{..,"record":{..},..}}
  void change(connection& c, std::string_view payload, client_loop& loop) {
    auto record = member(member(payload, "\"data\""), "\"record\"");
    std::uint64_t id = 0;
    bool has_id = false;
    std::int64_t ts = 0;
    bool has_ts = false;
    if (auto members = rt::protocol::json_object_members(record)) {
      for (const auto& m : *members) {
        if (m.key_token == id_key_) {
          has_id = integer_value(m.value, id);
        } else if (m.key_token == ts_key_ && m.value.size() > 2 && m.value.front() == '"') {
          if (auto t = parse_iso_us(m.value.substr(1, m.value.size() - 2))) {
            ts = *t;
            has_ts = true;
          }
        }
      }
    }
    loop.deliver_change(c, has_id, id, has_ts, ts);
  }

  void reply(connection& c, const phx_message& m, std::string_view msg, client_loop& loop) {
    bool ok = status_ok(m.payload);
    if (m.ref.rfind("\"h", 0) == 0) {
      if (!ok)
        return loop.report_error(c, msg, false);
      return loop.count_heartbeat_answer();
    }
    bool track = false;
    std::int64_t sent_us = 0;
    if (presence_ && presence_ref(m.ref, track, sent_us)) {
      loop.presence_answer(c, track, ok, sent_us);
      if (!ok)
        loop.report_error(c, msg, false);
      return;
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
  bool changes_;
  bool presence_;
  std::string token_;
  bool private_;
  std::string changes_binding_;
  std::string join_payload_;
  std::string path_;
  std::string id_key_;
  std::string ts_key_;
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
