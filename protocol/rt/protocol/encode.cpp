#include "rt/protocol/encode.hpp"

#include "rt/protocol/decode.hpp"
#include "rt/protocol/events.hpp"
#include "rt/protocol/json_text.hpp"

namespace rt::protocol {

namespace {

constexpr std::uint8_t kind_push = 0;
constexpr std::uint8_t kind_reply = 1;
constexpr std::uint8_t kind_broadcast = 2;
constexpr std::uint8_t kind_user_broadcast = 4;

// A binary frame: kind, one size byte per field, the fields, then `data`.
// nullptr when a field is longer than a size byte can say.
shared_frame binary_frame(std::uint8_t kind, std::initializer_list<std::string_view> fields,
                          std::string_view data) {
  std::size_t total = 1 + data.size();
  for (auto f : fields) {
    if (f.size() > max_field_bytes)
      return nullptr;
    total += 1 + f.size();
  }
  frame_writer w{opcode::binary, total};
  auto& out = w.out();
  out.push_back(static_cast<char>(kind));
  for (auto f : fields)
    out.push_back(static_cast<char>(f.size()));
  for (auto f : fields)
    out.append(f);
  out.append(data);
  return w.finish_shared();
}

// Writes one frame in the shape of either serializer. `ref_json` is the
// already-encoded ref token; `join_ref` is dropped for vsn 1.
shared_frame envelope(vsn v, std::string_view join_ref_json, std::string_view ref_json,
                      std::string_view topic, std::string_view event,
                      std::string_view payload_json) {
  frame_writer w{opcode::text, 48 + topic.size() + event.size() + payload_json.size()};
  auto& out = w.out();
  if (v == vsn::v1) {
    out.append(R"({"topic":)");
    append_json_string(out, topic);
    out.append(R"(,"event":)");
    append_json_string(out, event);
    out.append(R"(,"payload":)");
    out.append(payload_json);
    out.append(R"(,"ref":)");
    out.append(ref_json);
    out.push_back('}');
  } else {
    out.push_back('[');
    out.append(join_ref_json);
    out.push_back(',');
    out.append(ref_json);
    out.push_back(',');
    append_json_string(out, topic);
    out.push_back(',');
    append_json_string(out, event);
    out.push_back(',');
    out.append(payload_json);
    out.push_back(']');
  }
  return w.finish_shared();
}

std::string reply_payload(std::string_view status, std::string_view response_json) {
  std::string p;
  p.reserve(32 + status.size() + response_json.size());
  p.append(R"({"status":)");
  append_json_string(p, status);
  p.append(R"(,"response":)");
  p.append(response_json);
  p.push_back('}');
  return p;
}

shared_frame encode_kind4(std::string_view topic, const user_broadcast_payload& body,
                          std::string_view meta_json) {
  frame_writer w{opcode::binary, 5 + topic.size() + body.user_event.size()
                                   + meta_json.size() + body.bytes.size()};
  auto& out = w.out();
  out.push_back(static_cast<char>(kind_user_broadcast));
  out.push_back(static_cast<char>(topic.size()));
  out.push_back(static_cast<char>(body.user_event.size()));
  out.push_back(static_cast<char>(meta_json.size()));
  out.push_back(static_cast<char>(body.encoding));
  out.append(topic);
  out.append(body.user_event);
  out.append(meta_json);
  out.append(body.bytes);
  return w.finish_shared();
}

} // namespace

shared_frame encode_reply(vsn v, const ref_value& join_ref, const ref_value& ref,
                          std::string_view topic, std::string_view status,
                          std::string_view response_json) {
  return envelope(v, join_ref.json(), ref.json(), topic, wire::phx_reply,
                  reply_payload(status, response_json));
}

std::string reason_json(std::string_view reason) {
  std::string out;
  out.reserve(reason.size() + 14);
  out.append(R"({"reason":)");
  append_json_string(out, reason);
  out.push_back('}');
  return out;
}

shared_frame encode_error_reply(vsn v, const ref_value& join_ref, const ref_value& ref,
                                std::string_view topic, std::string_view reason) {
  return encode_reply(v, join_ref, ref, topic, wire::status_error, reason_json(reason));
}

shared_frame encode_push(vsn v, const ref_value& join_ref, std::string_view topic,
                         std::string_view event, std::string_view payload_json) {
  return envelope(v, join_ref.json(), "null", topic, event, payload_json);
}

shared_frame encode_channel_signal(vsn v, const ref_value& join_ref,
                                   std::string_view topic, std::string_view event) {
  return envelope(v, join_ref.json(), join_ref.json(), topic, event, "{}");
}

shared_frame encode_broadcast(vsn v, std::string_view topic, std::string_view event,
                              std::string_view payload_json) {
  return envelope(v, "null", "null", topic, event, payload_json);
}

shared_frame encode_binary_push(vsn v, const ref_value& join_ref, std::string_view topic,
                                std::string_view event, std::string_view data) {
  if (v == vsn::v1)
    return nullptr;
  return binary_frame(kind_push, {join_ref.text(), topic, event}, data);
}

shared_frame encode_binary_reply(vsn v, const ref_value& join_ref, const ref_value& ref,
                                 std::string_view topic, std::string_view status,
                                 std::string_view data) {
  if (v == vsn::v1)
    return nullptr;
  return binary_frame(kind_reply, {join_ref.text(), ref.text(), topic, status}, data);
}

shared_frame encode_binary_broadcast(vsn v, std::string_view topic, std::string_view event,
                                     std::string_view data) {
  if (v == vsn::v1)
    return nullptr;
  return binary_frame(kind_broadcast, {topic, event}, data);
}

std::string user_broadcast_as_json(const user_broadcast_payload& body,
                                   std::string_view meta_json) {
  std::string p;
  p.reserve(64 + body.user_event.size() + body.bytes.size() + meta_json.size());
  p.append(R"({"event":)");
  append_json_string(p, body.user_event);
  p.append(R"(,"payload":)");
  p.append(body.bytes);
  p.append(R"(,"type":"broadcast")");
  if (!meta_json.empty()) {
    p.append(R"(,"meta":)");
    p.append(meta_json);
  }
  p.push_back('}');
  return p;
}

shared_frame encode_user_broadcast(vsn v, std::string_view topic,
                                   const user_broadcast_payload& body,
                                   std::string_view meta_json) {
  bool json = body.encoding == payload_encoding::json;
  if (v == vsn::v2) {
    bool fits = topic.size() <= max_field_bytes && body.user_event.size() <= max_field_bytes
                && meta_json.size() <= max_field_bytes;
    if (fits)
      return encode_kind4(topic, body, meta_json);
  }
  if (!json)
    return nullptr;
  return encode_broadcast(v, topic, wire::broadcast, user_broadcast_as_json(body, meta_json));
}

std::string system_payload(std::string_view extension, std::string_view status,
                           std::string_view message, std::string_view channel) {
  std::string p;
  p.append(R"({"extension":)");
  append_json_string(p, extension);
  p.append(R"(,"status":)");
  append_json_string(p, status);
  p.append(R"(,"message":)");
  append_json_string(p, message);
  p.append(R"(,"channel":)");
  append_json_string(p, channel);
  p.push_back('}');
  return p;
}

} // namespace rt::protocol
