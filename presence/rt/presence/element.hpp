#pragma once

// Elements as replicas exchange them: what was tracked (topic, key, owner,
// meta), keyed by the dot of the join that created it.

#include <cstdint>
#include <map>
#include <string>

#include <boost/json/object.hpp>

#include "rt/presence/dot.hpp"

namespace rt::presence {

/// Who tracks a presence, e.g. a channel actor's id. Unique within one
/// replica only: two nodes may use the same value.
using owner_id = std::uint64_t;

/// One tracked presence, without its dot.
struct element {
  /// Channel topic, e.g. "realtime:room1".
  std::string topic;
  /// Presence key as clients see it.
  std::string key;
  /// Who tracks it on the replica that made it.
  owner_id owner = 0;
  /// The meta clients receive: the tracked fields plus phx_ref (and
  /// phx_ref_prev after an update).
  boost::json::object meta;

  friend bool operator==(const element&, const element&) = default;
};

/// Elements keyed by the dot that created them.
using dotted_values = std::map<dot, element>;

} // namespace rt::presence
