#include "rt/replication/binding.hpp"

#include <algorithm>
#include <cctype>

#include <boost/json/serialize.hpp>

#include "rt/protocol/events.hpp"
#include "rt/replication/change_stream.hpp"

namespace rt::replication {

namespace {

namespace json = boost::json;

namespace wire = protocol::wire;
constexpr std::string_view no_params = wire::binding_error_no_params;
constexpr std::string_view select_not_a_list = wire::binding_error_select_not_a_list;
constexpr std::string_view select_on_wildcard = wire::binding_error_select_on_wildcard;

std::string upper(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::string event_of(const json::object& o) {
  auto* e = o.if_contains("event");
  auto* s = e != nullptr ? e->if_string() : nullptr;
  if (s == nullptr)
    return "*";
  auto u = upper(*s);
  return u == "INSERT" || u == "UPDATE" || u == "DELETE" ? u : "*";
}

const json::string* string_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v != nullptr ? v->if_string() : nullptr;
}

tl::expected<std::optional<std::vector<std::string>>, std::string> select_of(const json::object& o) {
  auto* v = o.if_contains("select");
  if (v == nullptr)
    return std::nullopt;
  if (v->is_string())
    return tl::unexpected(std::string{select_not_a_list});
  auto* list = v->if_array();
  if (list == nullptr)
    return std::nullopt;
  std::vector<std::string> names;
  for (const auto& item : *list)
    if (auto* s = item.if_string())
      names.emplace_back(*s);
  if (names.empty())
    return std::nullopt;
  return names;
}

void append_quoted(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\')
      out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

} // namespace

std::uint8_t binding::event_bits() const noexcept {
  auto bit = [](change_kind k) { return static_cast<std::uint8_t>(k); };
  if (event == "INSERT")
    return bit(change_kind::insert);
  if (event == "UPDATE")
    return bit(change_kind::update);
  if (event == "DELETE")
    return bit(change_kind::remove);
  return bit(change_kind::insert) | bit(change_kind::update) | bit(change_kind::remove);
}

tl::expected<binding, std::string> parse_binding(const json::value& entry) {
  const auto* o = entry.if_object();
  if (o == nullptr)
    return tl::unexpected(std::string{no_params} + elixir_inspect(entry));
  binding b;
  b.id = binding_id(entry);
  b.event = event_of(*o);
  auto select = select_of(*o);
  if (!select)
    return tl::unexpected(select.error());
  b.select = std::move(*select);
  auto* schema = string_at(*o, "schema");
  auto* table = string_at(*o, "table");
  auto* filter = string_at(*o, "filter");
  bool has_table = o->contains("table");
  bool has_filter = o->contains("filter");
  if (schema && table && filter) {
    auto parsed = parse_filter(*filter);
    if (!parsed)
      return tl::unexpected(parsed.error());
    b.filters = std::move(*parsed);
  } else if (!(schema && table && !has_filter) && !(schema && !has_table && !has_filter) &&
             !(table && !o->contains("schema") && !has_filter)) {
    if (o->contains("user_token") || o->contains("auth_token"))
      return tl::unexpected(std::string{no_params} + "<redacted>");
    return tl::unexpected(std::string{no_params} + elixir_inspect(entry));
  }
  b.schema = schema ? std::string{*schema} : "public";
  b.table = table ? std::string{*table} : "*";
  if (b.select && (b.schema == "*" || b.table == "*"))
    return tl::unexpected(std::string{select_on_wildcard});
  return b;
}

std::int64_t binding_id(const json::value& entry) {
  // FNV-1a over the serialized entry.
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : json::serialize(entry)) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<std::int64_t>(h % (1u << 27));
}

std::string elixir_inspect(const json::value& v) {
  std::string out;
  switch (v.kind()) {
    case json::kind::null:
      return "nil";
    case json::kind::bool_:
      return v.get_bool() ? "true" : "false";
    case json::kind::string:
      append_quoted(out, v.get_string());
      return out;
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first)
          out.append(", ");
        first = false;
        out.append(elixir_inspect(item));
      }
      out.push_back(']');
      return out;
    }
    case json::kind::object: {
      std::vector<std::pair<std::string_view, const json::value*>> items;
      for (const auto& kv : v.get_object())
        items.emplace_back(kv.key(), &kv.value());
      std::sort(items.begin(), items.end());
      out.append("%{");
      bool first = true;
      for (const auto& [key, value] : items) {
        if (!first)
          out.append(", ");
        first = false;
        append_quoted(out, key);
        out.append(" => ").append(elixir_inspect(*value));
      }
      out.push_back('}');
      return out;
    }
    default:
      return json::serialize(v);
  }
}

} // namespace rt::replication
