#pragma once

// Presences as a replica reports them: owned copies in diffs, borrowed views
// in listings.

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "rt/presence/element.hpp"
#include "rt/presence/replica.hpp"

namespace rt::presence {

/// A presence that joined or left.
struct presence {
  /// The replica that tracks it.
  replica_ref replica;
  /// Who tracks it on that replica.
  owner_id owner = 0;
  /// Channel topic.
  std::string topic;
  /// Presence key.
  std::string key;
  /// Meta with phx_ref (and phx_ref_prev after an update).
  boost::json::object meta;
};

/// What one operation changed in the listed presences. An update is the same
/// presence in both lists: the new meta joined, the old one left.
struct presence_diff {
  /// Presences now listed that were not before.
  std::vector<presence> joins;
  /// Presences listed before that are not now.
  std::vector<presence> leaves;

  /// Whether nothing changed.
  [[nodiscard]] bool empty() const noexcept { return joins.empty() && leaves.empty(); }
};

/// A listed presence, borrowed from the state (or from a presence) it came
/// from; valid until that changes. No pointer is null.
struct presence_view {
  /// Presence key.
  std::string_view key;
  /// The replica that tracks it.
  const replica_ref* replica = nullptr;
  /// Who tracks it on that replica.
  owner_id owner = 0;
  /// Meta with phx_ref.
  const boost::json::object* meta = nullptr;
};

/// A view of `p`, valid while `p` lives unchanged.
[[nodiscard]] inline presence_view view_of(const presence& p) noexcept {
  return {p.key, &p.replica, p.owner, &p.meta};
}

} // namespace rt::presence
