#include "rt/protocol/decode.hpp"

#include <array>
#include <optional>

#include <boost/json/parse.hpp>

#include "rt/protocol/events.hpp"
#include "rt/protocol/json_text.hpp"
#include "rt/protocol/utf8.hpp"

namespace rt::protocol {

namespace {

tl::unexpected<decode_failure> fail(errc code, decode_failure salvage = {}) {
  salvage.code = code;
  return tl::unexpected{std::move(salvage)};
}

// A ref token fits when its text (a string's quotes aside) is within the bound.
bool ref_fits(std::string_view token) noexcept {
  bool quoted = !token.empty() && token.front() == '"';
  return token.size() <= max_field_bytes + (quoted ? 2 : 0);
}

bool field_fits(std::string_view s) noexcept {
  return s.size() <= max_field_bytes;
}

std::optional<boost::json::value> parse_json(std::string_view text) {
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = max_json_depth;
  auto v = boost::json::parse(text, ec, {}, options);
  if (ec)
    return std::nullopt;
  return v;
}

// Keeps what can be echoed back from a message that failed further in.
decode_failure salvage(std::string_view join_ref, std::string_view ref,
                       const boost::json::value* topic) {
  decode_failure out;
  if (!join_ref.empty() && ref_fits(join_ref))
    out.join_ref = ref_value::from_json(join_ref);
  if (!ref.empty() && ref_fits(ref))
    out.ref = ref_value::from_json(ref);
  if (topic != nullptr) {
    if (auto* s = topic->if_string(); s != nullptr && field_fits(*s))
      out.topic.assign(s->data(), s->size());
  }
  return out;
}

// Checks the four routing fields and assembles the message.
decode_result assemble(std::string_view join_ref, std::string_view ref,
                       const boost::json::value& topic, const boost::json::value& event,
                       boost::json::value&& payload, std::string_view payload_text) {
  auto kept = salvage(join_ref, ref, &topic);
  auto* t = topic.if_string();
  auto* e = event.if_string();
  if (t == nullptr || e == nullptr)
    return fail(errc::malformed_message, std::move(kept));
  if (!field_fits(*t) || !field_fits(*e) || !ref_fits(join_ref) || !ref_fits(ref))
    return fail(errc::field_too_long, std::move(kept));
  message m;
  m.join_ref = ref_value::from_json(join_ref);
  m.ref = ref_value::from_json(ref);
  m.topic.assign(t->data(), t->size());
  m.event.assign(e->data(), e->size());
  m.body = json_payload{std::move(payload), std::string{payload_text}};
  return m;
}

decode_result decode_v2_text(std::string_view frame) {
  auto dom = parse_json(frame);
  if (!dom)
    return fail(errc::malformed_json);
  auto* array = dom->if_array();
  auto slices = json_array_elements(frame);
  if (array == nullptr || !slices || slices->size() != array->size())
    return fail(errc::malformed_message);
  auto& raw = *slices;
  if (array->size() < 5) {
    auto jr = raw.size() > 0 ? raw[0] : std::string_view{};
    auto r = raw.size() > 1 ? raw[1] : std::string_view{};
    return fail(errc::malformed_message,
                salvage(jr, r, array->size() > 2 ? &(*array)[2] : nullptr));
  }
  return assemble(raw[0], raw[1], (*array)[2], (*array)[3], std::move((*array)[4]),
                  raw[4]);
}

// The last raw member with key `name`, if any; `duplicate` set when repeated.
std::optional<std::string_view> member_text(const std::vector<json_member>& members,
                                            std::string_view name, bool& duplicate) {
  std::optional<std::string_view> found;
  for (auto& m : members) {
    auto key = json_unquote(m.key_token);
    if (key && *key == name) {
      if (found)
        duplicate = true;
      found = m.value;
    }
  }
  return found;
}

decode_result decode_v1_text(std::string_view frame) {
  auto dom = parse_json(frame);
  if (!dom)
    return fail(errc::malformed_json);
  auto* object = dom->if_object();
  auto members = json_object_members(frame);
  if (object == nullptr || !members)
    return fail(errc::malformed_message);
  bool duplicate = false;
  auto ref = member_text(*members, "ref", duplicate);
  auto join_ref = member_text(*members, "join_ref", duplicate);
  auto payload = member_text(*members, "payload", duplicate);
  member_text(*members, "topic", duplicate);
  member_text(*members, "event", duplicate);
  auto* topic = object->if_contains("topic");
  auto* event = object->if_contains("event");
  auto kept = salvage(join_ref.value_or(""), ref.value_or(""), topic);
  // Repeated protocol keys would let the parsed and the forwarded payload differ.
  if (duplicate || !ref || !payload || topic == nullptr || event == nullptr)
    return fail(errc::malformed_message, std::move(kept));
  // if_contains, not operator[]: the latter may rehash and move topic/event.
  auto payload_value = std::move(*object->if_contains("payload"));
  return assemble(join_ref.value_or("null"), *ref, *topic, *event,
                  std::move(payload_value), *payload);
}

// Sequential reader over a binary frame.
class byte_reader {
public:
  explicit byte_reader(std::string_view frame) : rest_(frame) {}

  std::optional<std::uint8_t> byte() {
    if (rest_.empty())
      return std::nullopt;
    auto b = static_cast<std::uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return b;
  }

  std::optional<std::string_view> bytes(std::size_t n) {
    if (rest_.size() < n)
      return std::nullopt;
    auto out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return out;
  }

  std::string_view rest() const noexcept { return rest_; }

private:
  std::string_view rest_;
};

template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> read_sizes(byte_reader& in) {
  std::array<std::uint8_t, N> sizes{};
  for (auto& s : sizes) {
    auto b = in.byte();
    if (!b)
      return std::nullopt;
    s = *b;
  }
  return sizes;
}

// Reads `sizes.size()` strings; all must be UTF-8 (they are echoed into JSON).
template <std::size_t N>
std::optional<std::array<std::string_view, N>>
read_fields(byte_reader& in, const std::array<std::uint8_t, N>& sizes) {
  std::array<std::string_view, N> out{};
  for (std::size_t i = 0; i < N; ++i) {
    auto field = in.bytes(sizes[i]);
    if (!field)
      return std::nullopt;
    out[i] = *field;
  }
  return out;
}

decode_failure salvage_binary(std::string_view join_ref, std::string_view ref,
                              std::string_view topic) {
  decode_failure out;
  if (is_valid_utf8(join_ref))
    out.join_ref = ref_value::from_string(join_ref);
  if (is_valid_utf8(ref))
    out.ref = ref_value::from_string(ref);
  if (is_valid_utf8(topic))
    out.topic = std::string{topic};
  return out;
}

bool all_utf8(std::initializer_list<std::string_view> fields) {
  for (auto f : fields)
    if (!is_valid_utf8(f))
      return false;
  return true;
}

decode_result decode_push(byte_reader& in) {
  auto sizes = read_sizes<4>(in);
  if (!sizes)
    return fail(errc::malformed_message);
  auto f = read_fields(in, *sizes);
  if (!f)
    return fail(errc::malformed_message);
  auto [join_ref, ref, topic, event] = *f;
  auto kept = salvage_binary(join_ref, ref, topic);
  if (!all_utf8({join_ref, ref, topic, event}))
    return fail(errc::malformed_message, std::move(kept));
  message m;
  m.join_ref = ref_value::from_string(join_ref);
  m.ref = ref_value::from_string(ref);
  m.topic = std::string{topic};
  m.event = std::string{event};
  m.body = binary_payload{std::string{in.rest()}};
  return m;
}

decode_result decode_user_broadcast_push(byte_reader& in) {
  auto sizes = read_sizes<6>(in);
  if (!sizes)
    return fail(errc::malformed_message);
  auto encoding = (*sizes)[5];
  auto f = read_fields(in, std::array<std::uint8_t, 5>{(*sizes)[0], (*sizes)[1],
                                                       (*sizes)[2], (*sizes)[3],
                                                       (*sizes)[4]});
  if (!f)
    return fail(errc::malformed_message);
  auto [join_ref, ref, topic, user_event, metadata] = *f;
  (void) metadata; // clients may send it; nothing reads it yet
  auto kept = salvage_binary(join_ref, ref, topic);
  if (!all_utf8({join_ref, ref, topic, user_event}))
    return fail(errc::malformed_message, std::move(kept));
  if (encoding > static_cast<std::uint8_t>(payload_encoding::json))
    return fail(errc::invalid_payload_encoding, std::move(kept));
  auto enc = static_cast<payload_encoding>(encoding);
  if (enc == payload_encoding::json
      && (!is_valid_utf8(in.rest()) || !parse_json(in.rest())))
    return fail(errc::malformed_json, std::move(kept));
  message m;
  m.join_ref = ref_value::from_string(join_ref);
  m.ref = ref_value::from_string(ref);
  m.topic = std::string{topic};
  m.event = std::string{wire::broadcast};
  m.body = user_broadcast_payload{std::string{user_event}, enc, std::string{in.rest()}};
  return m;
}

} // namespace

decode_result decode_text(vsn v, std::string_view frame) {
  return v == vsn::v1 ? decode_v1_text(frame) : decode_v2_text(frame);
}

decode_result decode_binary(vsn v, std::string_view frame) {
  if (v == vsn::v1)
    return fail(errc::binary_not_supported);
  byte_reader in{frame};
  auto kind = in.byte();
  if (kind == 0)
    return decode_push(in);
  if (kind == 3)
    return decode_user_broadcast_push(in);
  return fail(errc::unknown_binary_kind);
}

} // namespace rt::protocol
