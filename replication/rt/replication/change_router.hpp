#pragma once

// Which subscribers a row change goes to. A route is one binding of one
// subscriber resolved to one table: the events it wants, its compiled
// filters and the columns it may see. Matching groups the hits by subscriber
// and column set, so each subscriber gets one message listing the ids of all
// its bindings that matched, as Supabase sends it. Column sets are shared by
// content: routes with the same names hold the same pointer, which callers
// may use as a cache key.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "rt/replication/change_stream.hpp"
#include "rt/replication/filter_eval.hpp"

namespace rt::replication {

/// A filter condition bound to its column by name.
struct bound_filter {
  std::string column;
  compiled_filter filter;
};

/// Columns a subscriber may see, by name (order and repeats do not matter);
/// null means all of them.
using column_selection = std::shared_ptr<const std::vector<std::string>>;

struct change_route {
  /// Who receives matches (opaque here; a channel actor's id in practice).
  std::uint64_t subscriber = 0;
  /// The binding's id as the join reply announced it.
  std::int64_t binding_id = 0;
  std::uint32_t relid = 0;
  /// change_kind bits.
  std::uint8_t events = 0;
  std::vector<bound_filter> filters;
  column_selection columns;
  /// The table has row level security: a delete's old_record keeps only the
  /// primary key (Supabase cannot check a deleted row, so shows no more).
  bool row_security = false;
  /// The subscriber's role does not bypass it: inserts and updates reach it
  /// only once the database says its role and claims can select the row.
  bool check_visibility = false;
};

/// One message's worth of matches: a subscriber, the ids of its matching
/// bindings (ascending, no duplicates), the columns it may see (equal sets
/// are the same pointer, across subscribers too) and what row level
/// security asks of it.
struct route_match {
  std::uint64_t subscriber = 0;
  std::vector<std::int64_t> ids;
  column_selection columns;
  /// A delete of a table under row level security: old_record holds only
  /// the primary key.
  bool old_key_only = false;
  /// An insert or update of a table with a primary key under row level
  /// security the subscriber's role does not bypass: deliver only if its
  /// role and claims can select the row.
  bool check_visibility = false;
};

class change_router {
public:
  /// Adds `route`; its column selection is replaced by the one already held
  /// for the same set of names, if any.
  void add(change_route route);

  /// Removes every route of `subscriber`.
  void remove_subscriber(std::uint64_t subscriber);

  /// The matches of `change`, whose tuples are `tuples`, in subscriber order.
  [[nodiscard]] std::vector<route_match> match(const row_change& change,
                                               const row_tuples& tuples) const;

  /// True when some route watches `relid`.
  [[nodiscard]] bool watches(std::uint32_t relid) const { return by_relid_.contains(relid); }

  /// Every relation some route watches, in no particular order.
  [[nodiscard]] std::vector<std::uint32_t> relids() const;

  [[nodiscard]] std::size_t route_count() const noexcept { return count_; }

private:
  using selection_key = std::vector<std::string>;

  [[nodiscard]] column_selection intern(column_selection selection);

  std::unordered_map<std::uint32_t, std::vector<change_route>> by_relid_;
  std::size_t count_ = 0;
  // The selections routes hold, by their sorted names; entries whose routes
  // are gone are dropped in remove_subscriber, so it holds at most one entry
  // per route.
  std::map<selection_key, std::weak_ptr<const std::vector<std::string>>> selections_;
};

/// The visible-column mask of `selection` over `relation` (empty: all):
/// the selected columns and the primary key (as far as the relation's
/// primary_key flags reach).
[[nodiscard]] std::vector<bool> visible_mask(const relation_snapshot& relation,
                                             const column_selection& selection);

} // namespace rt::replication
