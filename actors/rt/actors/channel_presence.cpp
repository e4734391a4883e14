#include "rt/actors/channel_presence.hpp"

#include <atomic>
#include <random>

#include <utility>

#include <boost/json/serialize.hpp>

#include "rt/presence/uuid_v1.hpp"
#include "rt/protocol/ascii.hpp"
#include "rt/protocol/encode.hpp"
#include "rt/protocol/events.hpp"

namespace rt::actors {

namespace wire = protocol::wire;

std::string generate_presence_key() {
  // One random node and clock sequence per process; the sequence advances
  // per key so keys made within the same 100 ns still differ.
  static const std::uint64_t node = [] {
    std::random_device rd;
    return (std::uint64_t{rd()} << 32) | rd();
  }();
  static std::atomic<std::uint16_t> sequence{static_cast<std::uint16_t>(std::random_device{}())};
  auto since = std::chrono::system_clock::now().time_since_epoch();
  auto ticks = std::chrono::duration_cast<std::chrono::nanoseconds>(since).count() / 100;
  return presence::uuid_v1(static_cast<std::uint64_t>(ticks), sequence++, node);
}

channel_presence::channel_presence(const endpoint_context& endpoint,
                                   const protocol::join_config& config)
  : endpoint_(endpoint),
    key_(config.presence_key.empty() ? generate_presence_key() : config.presence_key),
    enabled_(config.presence_enabled || endpoint.config.presence.enabled_for_all) {}

bool channel_presence::within_client_window() {
  auto now = std::chrono::steady_clock::now();
  if (!window_end_ || now > *window_end_) {
    window_end_ = now + endpoint_.config.presence.client_window;
    window_calls_ = 1;
    return true;
  }
  if (window_calls_ >= endpoint_.config.presence.max_client_calls)
    return false;
  ++window_calls_;
  return true;
}

bool channel_presence::within_node_rate() {
  return endpoint_.presence_events->try_add(
    static_cast<double>(endpoint_.config.presence.max_events_per_second));
}

std::optional<std::string_view> channel_presence::sync(channel_context& ctx) {
  if (!enabled_ || !may_read_)
    return std::nullopt;
  if (!within_node_rate())
    return wire::presence_rate_limited;
  ctx.push_presence_state();
  return std::nullopt;
}

std::optional<std::string_view> channel_presence::handle(channel_context& ctx,
                                                         const protocol::message& msg) {
  auto* json = msg.json();
  auto* request = json != nullptr ? json->value.if_object() : nullptr;
  auto* event = request != nullptr ? request->if_contains("event") : nullptr;
  if (event == nullptr) {
    ctx.reply(msg.ref, wire::status_ok, "{}");
    return std::nullopt;
  }
  if (!within_client_window())
    return wire::client_presence_rate_limited;
  auto* name = event->if_string();
  if (name != nullptr && protocol::iequals(*name, wire::presence_track))
    return track(ctx, msg, *request);
  if (name != nullptr && protocol::iequals(*name, wire::presence_untrack)) {
    untrack(ctx, msg);
    return std::nullopt;
  }
  ctx.reply(msg.ref, wire::status_error, "{}");
  return std::nullopt;
}

std::optional<std::string_view> channel_presence::track(channel_context& ctx,
                                                        const protocol::message& msg,
                                                        const boost::json::object& request) {
  if (!may_track_) {
    ctx.reply(msg.ref, wire::status_error, "{}");
    return std::nullopt;
  }
  boost::json::object meta;
  if (auto* given = request.if_contains("payload")) {
    if (!given->is_object()) {
      ctx.reply(msg.ref, wire::status_error, protocol::reason_json(wire::presence_payload_not_a_map));
      return std::nullopt;
    }
    meta = given->get_object();
  }
  if (last_meta_ && *last_meta_ == meta) {
    ctx.reply(msg.ref, wire::status_ok, "{}");
    return std::nullopt;
  }
  if (boost::json::serialize(meta).size() > endpoint_.config.max_payload_bytes())
    return wire::track_size_exceeded;
  if (!within_node_rate())
    return wire::presence_rate_limited;
  last_meta_ = meta;
  ctx.track_presence(key_, std::move(meta));
  // Presence enabled by this track: the channel gets the topic's state too.
  if (!std::exchange(enabled_, true) && may_read_)
    ctx.push_presence_state();
  ctx.reply(msg.ref, wire::status_ok, "{}");
  return std::nullopt;
}

void channel_presence::untrack(channel_context& ctx, const protocol::message& msg) {
  ctx.untrack_presence(key_);
  last_meta_.reset();
  ctx.reply(msg.ref, wire::status_ok, "{}");
}

} // namespace rt::actors
