#include "rt/protocol/rest_broadcast.hpp"

#include <cmath>
#include <map>

#include <boost/json/parse.hpp>

#include "rt/protocol/ascii.hpp"
#include "rt/protocol/decode.hpp"
#include "rt/protocol/events.hpp"
#include "rt/protocol/json_text.hpp"
#include "rt/protocol/utf8.hpp"

namespace rt::protocol {

namespace {

constexpr std::string_view whitespace = " \t\n\r\v\f";

std::string_view trim(std::string_view s) noexcept {
  auto first = s.find_first_not_of(whitespace);
  if (first == std::string_view::npos)
    return {};
  return s.substr(first, s.find_last_not_of(whitespace) - first + 1);
}

bool valid_json(std::string_view text) {
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = max_json_depth;
  boost::json::parse(text, ec, {}, options);
  return !ec;
}

// "type/subtype" of a Content-Type, lower-cased, parameters dropped.
std::pair<std::string, std::string> media_type(std::string_view content_type) {
  auto essence = trim(content_type.substr(0, content_type.find(';')));
  auto slash = essence.find('/');
  if (slash == std::string_view::npos)
    return {};
  std::string type{trim(essence.substr(0, slash))};
  std::string subtype{trim(essence.substr(slash + 1))};
  for (auto& c : type)
    c = ascii_lower(c);
  for (auto& c : subtype)
    c = ascii_lower(c);
  return {type, subtype};
}

rest_rejection bad_request() {
  return {400, "{\"" + std::string{wire::key_message} + "\":" + json_string(wire::rest_bad_request)
                 + "}"};
}

// A 422 of Ecto's shape: {"errors":{<field>: <errors_json>}}.
rest_rejection changeset_error(std::string_view field, std::string_view errors_json) {
  std::string body = "{\"";
  body.append(wire::key_errors).append("\":{");
  append_json_string(body, field);
  body.append(":").append(errors_json).append("}}");
  return {422, std::move(body)};
}

std::string error_list(std::string_view message) {
  return "[" + json_string(message) + "]";
}

// -- one batch message, cast as Ecto casts it ---------------------------------

// A raw JSON value as Ecto's cast sees it: absent, null and blank strings
// (Ecto's empty values) are all "nothing".
bool is_nothing(std::optional<std::string_view> raw) {
  if (!raw || *raw == "null")
    return true;
  if (raw->front() != '"')
    return false;
  auto text = json_unquote(*raw);
  return text && trim(*text).empty();
}

// The last value of each key Ecto casts (Jason keeps the last duplicate).
struct raw_fields {
  std::optional<std::string_view> topic, event, payload, is_private, id;
};

raw_fields fields_of(const std::vector<json_member>& members) {
  raw_fields out;
  for (const auto& m : members) {
    auto key = json_unquote(m.key_token);
    if (!key)
      continue;
    if (*key == wire::key_topic)
      out.topic = m.value;
    else if (*key == wire::key_event)
      out.event = m.value;
    else if (*key == wire::key_payload)
      out.payload = m.value;
    else if (*key == wire::key_private)
      out.is_private = m.value;
    else if (*key == wire::key_id)
      out.id = m.value;
  }
  return out;
}

// Ecto.UUID.cast: the hyphenated form in any case (lowered), or 16 raw bytes.
std::optional<std::string> cast_uuid(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  if (s.size() == 16) {
    std::string out;
    for (std::size_t i = 0; i < 16; ++i) {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        out.push_back('-');
      auto byte = static_cast<unsigned char>(s[i]);
      out.push_back(hex[byte >> 4]);
      out.push_back(hex[byte & 0xF]);
    }
    return out;
  }
  if (s.size() != 36)
    return std::nullopt;
  std::string out{s};
  for (std::size_t i = 0; i < out.size(); ++i) {
    bool hyphen = i == 8 || i == 13 || i == 18 || i == 23;
    auto c = ascii_lower(out[i]);
    bool ok = hyphen ? c == '-' : ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (!ok)
      return std::nullopt;
    out[i] = c;
  }
  return out;
}

// Ecto's boolean cast.
std::optional<bool> cast_boolean(std::string_view raw) {
  if (raw == "true" || raw == "\"true\"" || raw == "\"1\"")
    return true;
  if (raw == "false" || raw == "\"false\"" || raw == "\"0\"")
    return false;
  return std::nullopt;
}

// The errors of one message, keyed in Jason's order (sorted); empty when valid.
struct message_errors {
  std::optional<std::string_view> event, id, payload, is_private, topic;

  bool any() const { return event || id || payload || is_private || topic; }

  std::string json() const {
    std::string out = "{";
    auto add = [&out](std::string_view key, const std::optional<std::string_view>& e) {
      if (!e)
        return;
      if (out.size() > 1)
        out.push_back(',');
      append_json_string(out, key);
      out.append(":").append(error_list(*e));
    };
    add(wire::key_event, event);
    add(wire::key_id, id);
    add(wire::key_payload, payload);
    add(wire::key_private, is_private);
    add(wire::key_topic, topic);
    out.push_back('}');
    return out;
  }
};

// A required, non-blank string field.
std::optional<std::string> cast_text(std::optional<std::string_view> raw,
                                     std::optional<std::string_view>& error) {
  if (is_nothing(raw)) {
    error = wire::changeset_blank;
    return std::nullopt;
  }
  auto text = raw->front() == '"' ? json_unquote(*raw) : std::nullopt;
  if (!text)
    error = wire::changeset_invalid;
  return text;
}

std::optional<rest_message> cast_message(const raw_fields& raw, std::size_t max_payload_bytes,
                                         message_errors& errors) {
  rest_message msg;
  auto topic = cast_text(raw.topic, errors.topic);
  auto event = cast_text(raw.event, errors.event);
  if (is_nothing(raw.payload))
    errors.payload = wire::changeset_blank;
  else if (raw.payload->front() != '{')
    errors.payload = wire::changeset_invalid;
  else if (raw.payload->size() > max_payload_bytes)
    errors.payload = wire::changeset_payload_too_large;
  if (!is_nothing(raw.is_private)) {
    auto flag = cast_boolean(*raw.is_private);
    if (flag)
      msg.is_private = *flag;
    else
      errors.is_private = wire::changeset_invalid;
  }
  if (!is_nothing(raw.id)) {
    auto text = raw.id->front() == '"' ? json_unquote(*raw.id) : std::nullopt;
    msg.id = text ? cast_uuid(*text) : std::nullopt;
    if (!msg.id)
      errors.id = wire::changeset_invalid;
  }
  if (errors.any())
    return std::nullopt;
  msg.topic = std::move(*topic);
  msg.event = std::move(*event);
  msg.payload_json = std::string{*raw.payload};
  return msg;
}

} // namespace

std::optional<rest_route> match_rest_route(std::span<const std::string> segments) {
  if (segments.size() >= 2 && segments[0] == wire::rest_segment_realtime
      && segments[1] == wire::rest_segment_v1)
    segments = segments.subspan(2);
  if (segments.size() < 2 || segments[0] != wire::rest_segment_api
      || segments[1] != wire::broadcast)
    return std::nullopt;
  if (segments.size() == 2)
    return rest_route{};
  if (segments.size() == 5 && segments[3] == wire::rest_segment_events)
    return rest_route{rest_route::kind::single, segments[2], segments[4]};
  return std::nullopt;
}

bool is_json_media_type(std::string_view content_type) {
  auto [type, subtype] = media_type(content_type);
  return type == "application"
         && (subtype == "json" || (subtype.size() > 5 && subtype.ends_with("+json")));
}

tl::expected<std::vector<rest_message>, rest_rejection>
parse_batch(std::optional<std::string_view> content_type, std::string_view body,
            std::size_t max_payload_bytes) {
  auto blank = tl::unexpected{changeset_error(wire::key_messages, error_list(wire::changeset_blank))};
  auto invalid =
    tl::unexpected{changeset_error(wire::key_messages, error_list(wire::changeset_invalid))};
  // Plug leaves other bodies unread, and reads an empty JSON body as {}.
  if (!content_type || !is_json_media_type(*content_type) || body.empty())
    return blank;
  if (!valid_json(body))
    return tl::unexpected{bad_request()};
  auto members = json_object_members(body);
  if (!members)
    return blank; // Plug puts any other value under "_json"
  std::optional<std::string_view> list;
  for (const auto& m : *members)
    if (json_unquote(m.key_token) == wire::key_messages)
      list = m.value;
  if (!list || *list == "null")
    return blank;
  auto elements = json_array_elements(*list);
  if (!elements)
    return invalid;
  if (elements->empty())
    return blank; // a required embeds_many needs an entry
  std::vector<rest_message> out;
  std::vector<message_errors> errors(elements->size());
  bool failed = false;
  for (std::size_t i = 0; i < elements->size(); ++i) {
    auto fields = json_object_members((*elements)[i]);
    if (!fields)
      return invalid; // Ecto refuses the whole list for one non-map entry
    auto msg = cast_message(fields_of(*fields), max_payload_bytes, errors[i]);
    if (msg)
      out.push_back(std::move(*msg));
    else
      failed = true;
  }
  if (!failed)
    return out;
  std::string list_json = "[";
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (i > 0)
      list_json.push_back(',');
    list_json.append(errors[i].json());
  }
  list_json.push_back(']');
  return tl::unexpected{changeset_error(wire::key_messages, list_json)};
}

std::string batch_broadcast_payload(const rest_message& msg) {
  std::string out = "{";
  append_json_string(out, wire::key_event);
  out.push_back(':');
  append_json_string(out, msg.event);
  if (msg.id) {
    out.push_back(',');
    append_json_string(out, wire::key_meta);
    out.append(":{");
    append_json_string(out, wire::key_id);
    out.push_back(':');
    append_json_string(out, *msg.id);
    out.push_back('}');
  }
  out.push_back(',');
  append_json_string(out, wire::key_payload);
  out.push_back(':');
  out.append(msg.payload_json).push_back(',');
  append_json_string(out, wire::key_type);
  out.push_back(':');
  append_json_string(out, wire::broadcast);
  out.push_back('}');
  return out;
}

rest_body_type single_body_type(std::optional<std::string_view> content_type) {
  if (!content_type)
    return rest_body_type::json;
  auto [type, subtype] = media_type(*content_type);
  if (type != "application")
    return rest_body_type::unsupported;
  if (subtype == "json")
    return rest_body_type::json;
  if (subtype == "octet-stream")
    return rest_body_type::binary;
  return rest_body_type::unsupported;
}

tl::expected<user_broadcast_payload, rest_rejection>
parse_single(rest_body_type type, std::string event, std::string_view body,
             std::size_t max_payload_bytes) {
  user_broadcast_payload out{std::move(event), payload_encoding::binary, {}};
  if (type == rest_body_type::binary) {
    out.bytes = std::string{body};
  } else {
    out.encoding = payload_encoding::json;
    if (body.empty()) {
      out.bytes = "{}";
    } else {
      if (!valid_json(body))
        return tl::unexpected{bad_request()};
      auto value = trim(body);
      if (value.front() == '{')
        out.bytes = std::string{value};
      else
        out.bytes = "{" + json_string(wire::key_plug_json) + ":" + std::string{value} + "}";
    }
  }
  if (out.bytes.size() > max_payload_bytes)
    return tl::unexpected{
      changeset_error(wire::key_payload, error_list(wire::changeset_payload_too_large))};
  return out;
}

std::optional<std::string> rest_token(std::optional<std::string_view> authorization,
                                      std::optional<std::string_view> apikey) {
  if (authorization && !authorization->empty()) {
    auto space = authorization->find(' ');
    auto scheme = authorization->substr(0, space);
    if (space != std::string_view::npos && iequals(scheme, "bearer")) {
      auto credential = authorization->substr(space + 1);
      if (credential.find(' ') == std::string_view::npos)
        return std::string{credential};
    }
  }
  if (apikey)
    return std::string{*apikey};
  return std::nullopt;
}

rest_rate_verdict check_rest_rate(double rate, std::size_t limit, std::size_t messages) {
  auto limit_f = static_cast<double>(limit);
  if (std::trunc(rate) >= limit_f)
    return rest_rate_verdict::saturated;
  if (static_cast<double>(messages) + rate > limit_f)
    return rest_rate_verdict::batch_too_large;
  return rest_rate_verdict::ok;
}

std::string headers_json(
  std::span<const std::pair<std::string_view, std::string_view>> headers) {
  std::map<std::string, std::string_view> named;
  for (const auto& [name, value] : headers) {
    if (!is_valid_utf8(name) || !is_valid_utf8(value))
      continue;
    std::string lower{name};
    for (auto& c : lower)
      c = ascii_lower(c);
    named[std::move(lower)] = value;
  }
  std::string out = "{";
  for (const auto& [name, value] : named) {
    if (out.size() > 1)
      out.push_back(',');
    append_json_string(out, name);
    out.push_back(':');
    append_json_string(out, value);
  }
  out.push_back('}');
  return out;
}

} // namespace rt::protocol
