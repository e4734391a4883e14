#pragma once

// What a realtime channel does for Supabase's presence messages
// (`presence` events with {"type":"presence","event":"track"|"untrack",
// "payload":{...}}), and its presence_state after the join:
//   - an event name is compared ignoring ASCII case; a message without one
//     is answered ok and changes nothing;
//   - every message with an event counts against the channel's window
//     (CLIENT_PRESENCE_MAX_CALLS per CLIENT_PRESENCE_WINDOW_MS, a fixed
//     window opened by the first call); one over it ends the channel;
//   - track: the meta is `payload` ({} when absent); not an object -> error
//     reply "Presence track payload must be a map"; the same meta as the last
//     track -> ok, nothing sent; larger than the payload limit -> the channel
//     ends ("Track message size exceeded"); the node over its presence rate
//     -> the channel ends ("Too many presence messages per second");
//     otherwise tracked (an update when tracked already) and, when presence
//     was not enabled yet, enabled with presence_state pushed;
//   - untrack: the presence leaves; ok;
//   - any other event: error reply with an empty response.
// On a private channel the policies decide: without presence read no
// presence_state is pushed (and pubsub withholds the diffs); without presence
// write a track is answered with an error and an empty response.
// The tracker sends the presence_diff of every change to all of the topic's
// subscribers, this channel included.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "rt/actors/endpoint_context.hpp"
#include "rt/channel.hpp"
#include "rt/protocol/join_config.hpp"

namespace rt::actors {

class channel_presence {
public:
  /// Presence for a channel joined with `config` on endpoint `endpoint`.
  channel_presence(const endpoint_context& endpoint, const protocol::join_config& config);

  /// Whether presence_state is to be pushed after the join.
  [[nodiscard]] bool enabled() const noexcept { return enabled_; }

  /// What a private channel's policies allow (everything unless told).
  void set_permissions(bool may_read, bool may_track) noexcept {
    may_read_ = may_read;
    may_track_ = may_track;
  }

  /// Pushes presence_state when enabled. Returns the system error that ends
  /// the channel, if any.
  std::optional<std::string_view> sync(channel_context& ctx);

  /// Handles one `presence` message (replying to it unless the channel is to
  /// end). Returns the system error that ends the channel, if any.
  std::optional<std::string_view> handle(channel_context& ctx, const protocol::message& msg);

private:
  bool within_client_window();
  bool within_node_rate();
  std::optional<std::string_view> track(channel_context& ctx, const protocol::message& msg,
                                        const boost::json::object& request);
  void untrack(channel_context& ctx, const protocol::message& msg);

  const endpoint_context& endpoint_;
  std::string key_;
  bool enabled_ = false;
  bool may_read_ = true;
  bool may_track_ = true;
  std::optional<boost::json::object> last_meta_;
  std::size_t window_calls_ = 0;
  std::optional<std::chrono::steady_clock::time_point> window_end_;
};

/// A fresh presence key: a version 1 UUID from the clock and a random node.
std::string generate_presence_key();

} // namespace rt::actors
