#include "realtime_frames.hpp"

#include "rt/protocol/json_text.hpp"

namespace bench {

namespace {

void append_ref(std::string& out, std::string_view ref) {
  if (ref.empty()) {
    out += "null";
    return;
  }
  out += '"';
  out += ref; // refs here are digits and letters: no escaping needed
  out += '"';
}

} // namespace

void append_phx_text(std::string& out, phx_vsn vsn, std::string_view join,
                     std::string_view ref, std::string_view quoted_topic,
                     std::string_view event, std::string_view payload) {
  if (vsn == phx_vsn::v2) {
    out += '[';
    append_ref(out, join);
    out += ',';
    append_ref(out, ref);
    out += ',';
    out += quoted_topic;
    out += ",\"";
    out += event;
    out += "\",";
    out += payload;
    out += ']';
    return;
  }
  out += "{\"topic\":";
  out += quoted_topic;
  out += ",\"event\":\"";
  out += event;
  out += "\",\"payload\":";
  out += payload;
  out += ",\"ref\":";
  append_ref(out, ref);
  if (!join.empty()) {
    out += ",\"join_ref\":";
    append_ref(out, join);
  }
  out += '}';
}

void append_user_broadcast_push(std::string& out, std::string_view join, std::string_view ref,
                                std::string_view topic, std::string_view user_event,
                                std::string_view json_payload) {
  constexpr char kind = 3;
  constexpr char json_encoding = 1;
  out += kind;
  out += static_cast<char>(join.size());
  out += static_cast<char>(ref.size());
  out += static_cast<char>(topic.size());
  out += static_cast<char>(user_event.size());
  out += '\0'; // no metadata
  out += json_encoding;
  out += join;
  out += ref;
  out += topic;
  out += user_event;
  out += json_payload;
}

std::string make_join_payload(std::string_view token, const join_spec& spec) {
  std::string out = "{\"config\":{\"broadcast\":{\"self\":false,\"ack\":false},";
  if (spec.presence_key) {
    out += "\"presence\":{\"key\":";
    rt::protocol::append_json_string(out, *spec.presence_key);
    out += ",\"enabled\":true},";
  } else {
    out += "\"presence\":{\"key\":\"\",\"enabled\":false},";
  }
  out += "\"postgres_changes\":";
  out += spec.postgres_changes;
  out += spec.private_channel ? ",\"private\":true}" : ",\"private\":false}";
  out += ",\"access_token\":";
  rt::protocol::append_json_string(out, token);
  out += '}';
  return out;
}

std::string make_changes_binding(std::string_view event, std::string_view schema,
                                 std::string_view table, std::string_view filter) {
  std::string out = "[{\"event\":";
  rt::protocol::append_json_string(out, event);
  out += ",\"schema\":";
  rt::protocol::append_json_string(out, schema);
  out += ",\"table\":";
  rt::protocol::append_json_string(out, table);
  if (!filter.empty()) {
    out += ",\"filter\":";
    rt::protocol::append_json_string(out, filter);
  }
  out += "}]";
  return out;
}

} // namespace bench
