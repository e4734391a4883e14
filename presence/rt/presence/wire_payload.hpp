#pragma once

// presence_state and presence_diff payloads as phoenix.js Presence and
// realtime-js merge them:
//
//   presence_state  {"<key>":{"metas":[{"phx_ref":"…",…},…]},…}
//   presence_diff   {"joins":{<same shape>},"leaves":{<same shape>}}
//
// Keys appear once each, in byte order; a key's metas keep the order given
// (a listing's order, which is by replica and owner). Both "joins" and
// "leaves" are always present, possibly empty. Each payload is encoded to
// JSON text once, for every subscriber of the topic to share.

#include <span>
#include <string>
#include <vector>

#include "rt/presence/presence.hpp"

namespace rt::presence {

/// The presence_state payload for `presences` (one topic's listing).
[[nodiscard]] std::string presence_state_json(std::span<const presence_view> presences);

/// The presence_diff payload for one topic's joins and leaves.
[[nodiscard]] std::string presence_diff_json(std::span<const presence_view> joins,
                                             std::span<const presence_view> leaves);

/// One topic's encoded presence_diff payload.
struct topic_payload {
  /// Channel topic the payload goes to.
  std::string topic;
  /// presence_diff payload JSON text.
  std::string json;
};

/// One presence_diff payload per topic `diff` touches, in topic order.
[[nodiscard]] std::vector<topic_payload> presence_diff_payloads(const presence_diff& diff);

} // namespace rt::presence
