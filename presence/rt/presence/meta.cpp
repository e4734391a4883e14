#include "rt/presence/meta.hpp"

#include <cmath>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace rt::presence {

namespace {

constexpr std::string_view ref_field = "phx_ref";
constexpr std::string_view prev_ref_field = "phx_ref_prev";

bool is_ref_field(std::string_view name) {
  return name == ref_field || name == prev_ref_field;
}

std::size_t client_field_count(const boost::json::object& meta) {
  std::size_t n = 0;
  for (const auto& field : meta)
    n += is_ref_field(field.key()) ? 0 : 1;
  return n;
}

// A JSON number too large for a double (1e999) parses as infinity, which
// Boost.JSON writes as `Infinity`: no client could parse a presence_state
// holding it. Stored as null instead, as JavaScript's JSON.stringify writes it.
boost::json::value finite(const boost::json::value& v) {
  if (const auto* d = v.if_double(); d != nullptr && !std::isfinite(*d))
    return nullptr;
  if (const auto* o = v.if_object()) {
    boost::json::object out;
    out.reserve(o->size());
    for (const auto& field : *o)
      out.emplace(field.key(), finite(field.value()));
    return out;
  }
  if (const auto* a = v.if_array()) {
    boost::json::array out;
    out.reserve(a->size());
    for (const auto& item : *a)
      out.push_back(finite(item));
    return out;
  }
  return v;
}

} // namespace

boost::json::object tracked_meta(const boost::json::object& client, std::string_view ref,
                                 std::string_view prev_ref) {
  boost::json::object meta;
  meta.reserve(client.size() + 2);
  meta.emplace(ref_field, ref);
  if (!prev_ref.empty())
    meta.emplace(prev_ref_field, prev_ref);
  for (const auto& field : client)
    if (!is_ref_field(field.key()))
      meta.emplace(field.key(), finite(field.value()));
  return meta;
}

std::string_view phx_ref_of(const boost::json::object& meta) {
  auto it = meta.find(ref_field);
  if (it == meta.end() || !it->value().is_string())
    return {};
  return it->value().get_string();
}

bool same_client_fields(const boost::json::object& stored, const boost::json::object& client) {
  if (client_field_count(stored) != client_field_count(client))
    return false;
  for (const auto& field : client) {
    if (is_ref_field(field.key()))
      continue;
    auto it = stored.find(field.key());
    if (it == stored.end() || it->value() != field.value())
      return false;
  }
  return true;
}

} // namespace rt::presence
