#include "rt/protocol/join_config.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>

#include "rt/protocol/ascii.hpp"
#include "rt/protocol/events.hpp"

namespace rt::protocol {

namespace {

class reader {
public:
  explicit reader(std::vector<std::string>* problems) : problems_(problems) {}

  void report(std::string_view path, std::string_view expected) {
    if (problems_ != nullptr)
      problems_->push_back(std::string{path} + " must be " + std::string{expected});
  }

  // Sets `out` from obj[key] when present and valid; null counts as absent.
  void boolean(const boost::json::object& obj, std::string_view key,
               std::string_view path, bool& out) {
    auto* v = obj.if_contains(key);
    if (v == nullptr || v->is_null())
      return;
    if (auto b = flexible_bool(*v))
      out = *b;
    else
      report(path, "a boolean");
  }

  const boost::json::object* object(const boost::json::object& obj, std::string_view key,
                                    std::string_view path) {
    auto* v = obj.if_contains(key);
    if (v == nullptr || v->is_null())
      return nullptr;
    if (auto* o = v->if_object())
      return o;
    report(path, "an object");
    return nullptr;
  }

private:
  std::vector<std::string>* problems_;
};

// An integer, as Elixir's is_integer sees JSON numbers (no fraction).
std::optional<std::int64_t> integer(const boost::json::value* v) {
  if (v == nullptr)
    return std::nullopt;
  if (v->is_int64())
    return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v->get_uint64());
  return std::nullopt;
}

void read_replay(const boost::json::object& broadcast, join_config& out) {
  auto* given = broadcast.if_contains("replay");
  if (given == nullptr)
    return;
  out.replay_asked = true;
  auto* params = given->if_object();
  if (params == nullptr)
    return;
  replay_request replay;
  auto since = integer(params->if_contains("since"));
  auto* limit_value = params->if_contains("limit");
  auto limit = limit_value == nullptr || limit_value->is_null() ? std::optional<std::int64_t>{25}
                                                                : integer(limit_value);
  replay.valid = since.has_value() && limit.has_value();
  if (replay.valid) {
    replay.since_ms = *since;
    replay.limit = std::clamp<std::int64_t>(*limit, 1, max_replay_limit);
  }
  out.replay = replay;
}

void read_broadcast(reader& r, const boost::json::object& config, join_config& out) {
  if (auto* b = r.object(config, "broadcast", "config.broadcast")) {
    read_replay(*b, out);
    r.boolean(*b, "self", "config.broadcast.self", out.broadcast_self);
    r.boolean(*b, "ack", "config.broadcast.ack", out.broadcast_ack);
    r.boolean(*b, "replication_ready", "config.broadcast.replication_ready",
              out.replication_ready);
  }
}

void read_presence(reader& r, const boost::json::object& config, join_config& out) {
  auto* p = r.object(config, "presence", "config.presence");
  if (p == nullptr)
    return;
  r.boolean(*p, "enabled", "config.presence.enabled", out.presence_enabled);
  if (auto* key = p->if_contains("key"); key != nullptr && !key->is_null()) {
    // Supabase takes any key; a number or boolean becomes the JSON object key
    // it is encoded as.
    if (auto* s = key->if_string())
      out.presence_key.assign(s->data(), s->size());
    else if (!key->is_structured())
      out.presence_key = boost::json::serialize(*key);
    else
      r.report("config.presence.key", "a string");
  }
}

void read_postgres_changes(reader& r, const boost::json::object& config, join_config& out) {
  auto* v = config.if_contains(wire::postgres_changes);
  if (v == nullptr || v->is_null())
    return;
  auto* list = v->if_array();
  if (list == nullptr) {
    r.report("config.postgres_changes", "a list");
    return;
  }
  for (auto& binding : *list)
    if (!binding.is_null())
      out.postgres_changes.push_back(binding);
}

// user_token (legacy) wins over access_token, as in Supabase; `sb_` keys are
// API keys rather than JWTs and leave the socket's token in charge.
void read_access_token(const boost::json::object& payload, join_config& out) {
  for (auto key : {std::string_view{"user_token"}, wire::access_token}) {
    auto* v = payload.if_contains(key);
    if (v == nullptr || !v->is_string())
      continue;
    std::string_view token = v->get_string();
    if (token.substr(0, 3) != "sb_")
      out.access_token = std::string{token};
    return;
  }
}

} // namespace

std::optional<bool> flexible_bool(const boost::json::value& v) {
  if (auto* b = v.if_bool())
    return *b;
  if (auto* s = v.if_string()) {
    if (iequals(*s, "true"))
      return true;
    if (iequals(*s, "false"))
      return false;
  }
  return std::nullopt;
}

join_config parse_join_config(const boost::json::value& payload,
                              std::vector<std::string>* problems) {
  join_config out;
  reader r{problems};
  auto* root = payload.if_object();
  if (root == nullptr) {
    if (!payload.is_null())
      r.report("payload", "an object");
    return out;
  }
  read_access_token(*root, out);
  auto* config = r.object(*root, "config", "config");
  if (config == nullptr)
    return out;
  read_broadcast(r, *config, out);
  read_presence(r, *config, out);
  r.boolean(*config, "private", "config.private", out.is_private);
  read_postgres_changes(r, *config, out);
  return out;
}

std::optional<std::string_view> realtime_subtopic(std::string_view topic) {
  if (topic.substr(0, wire::realtime_prefix.size()) != wire::realtime_prefix)
    return std::nullopt;
  return topic.substr(wire::realtime_prefix.size());
}

} // namespace rt::protocol
