#include "rt/presence/wire_payload.hpp"

#include <map>
#include <string_view>

#include <boost/json/serialize.hpp>

#include "rt/protocol/json_text.hpp"

namespace rt::presence {

namespace {

using metas_by_key = std::map<std::string_view, std::vector<const boost::json::object*>>;

metas_by_key group_by_key(std::span<const presence_view> presences) {
  metas_by_key groups;
  for (const auto& p : presences)
    groups[p.key].push_back(p.meta);
  return groups;
}

void append_metas(std::string& out, const std::vector<const boost::json::object*>& metas) {
  out.append("{\"metas\":[");
  for (std::size_t i = 0; i < metas.size(); ++i) {
    if (i != 0)
      out.push_back(',');
    out.append(boost::json::serialize(*metas[i]));
  }
  out.append("]}");
}

void append_presence_map(std::string& out, std::span<const presence_view> presences) {
  out.push_back('{');
  bool first = true;
  for (const auto& [key, metas] : group_by_key(presences)) {
    if (!first)
      out.push_back(',');
    first = false;
    protocol::append_json_string(out, key);
    out.push_back(':');
    append_metas(out, metas);
  }
  out.push_back('}');
}

struct topic_views {
  std::vector<presence_view> joins;
  std::vector<presence_view> leaves;
};

std::map<std::string_view, topic_views> views_by_topic(const presence_diff& diff) {
  std::map<std::string_view, topic_views> topics;
  for (const auto& p : diff.joins)
    topics[p.topic].joins.push_back(view_of(p));
  for (const auto& p : diff.leaves)
    topics[p.topic].leaves.push_back(view_of(p));
  return topics;
}

} // namespace

std::string presence_state_json(std::span<const presence_view> presences) {
  std::string out;
  append_presence_map(out, presences);
  return out;
}

std::string presence_diff_json(std::span<const presence_view> joins,
                               std::span<const presence_view> leaves) {
  std::string out = "{\"joins\":";
  append_presence_map(out, joins);
  out.append(",\"leaves\":");
  append_presence_map(out, leaves);
  out.push_back('}');
  return out;
}

std::vector<topic_payload> presence_diff_payloads(const presence_diff& diff) {
  std::vector<topic_payload> payloads;
  for (const auto& [topic, views] : views_by_topic(diff))
    payloads.push_back({std::string{topic}, presence_diff_json(views.joins, views.leaves)});
  return payloads;
}

} // namespace rt::presence
