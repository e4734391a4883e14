#pragma once

// One entry of a join's `config.postgres_changes`, read as Supabase reads it
// (Subscriptions.parse_subscription_params): `event` (`*`, INSERT, UPDATE,
// DELETE in any case; anything else means `*`), `schema` and `table` (`*`
// wildcards; a table alone means schema public, a schema alone means every
// table), `filter` and `select`.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>
#include <tl/expected.hpp>

#include "rt/replication/filter.hpp"

namespace rt::replication {

struct binding {
  /// The id the join reply gives this entry; changes it matched carry it.
  std::int64_t id = 0;
  /// "*", "INSERT", "UPDATE" or "DELETE".
  std::string event;
  std::string schema;
  std::string table;
  std::vector<filter_condition> filters;
  /// Columns to send besides the primary key; nullopt sends every column.
  std::optional<std::vector<std::string>> select;

  /// change_kind bits of `event`.
  [[nodiscard]] std::uint8_t event_bits() const noexcept;
};

/// Reads one entry. The error is the text of the `system` error Supabase
/// sends for it (e.g. "No subscription params provided. ...").
[[nodiscard]] tl::expected<binding, std::string> parse_binding(const boost::json::value& entry);

/// The entry's id: a hash of its JSON text in 0 .. 2^27-1, so identical
/// entries get identical ids, as Supabase's do.
[[nodiscard]] std::int64_t binding_id(const boost::json::value& entry);

/// How Elixir's inspect/1 prints `v` decoded from JSON (maps as
/// %{"k" => v} with sorted keys, lists, strings quoted, null as nil).
[[nodiscard]] std::string elixir_inspect(const boost::json::value& v);

} // namespace rt::replication
