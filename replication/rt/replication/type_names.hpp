#pragma once

// Column type names (pg_type.typname) as the `columns` of a change carry
// them, e.g. "int8", "timestamptz", "_text". Relation messages give only type
// OIDs; pgoutput sends a Type message ('Y') for each type that is not
// built in, before the first change that uses it.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "rt/replication/pgoutput.hpp"

namespace rt::replication {

/// The typname of a built-in type, or an empty view when `type_oid` is not one.
[[nodiscard]] std::string_view builtin_type_name(std::uint32_t type_oid) noexcept;

/// Type names by OID: the built-in ones and those the stream announced.
class type_names {
public:
  /// Records an announced type (a Type message replaces an older one).
  void put(const type_message& type);

  /// The type's name; for a type neither built in nor announced, its OID in
  /// decimal (it is still sent, never dropped).
  [[nodiscard]] std::string name(std::uint32_t type_oid) const;

  /// The name a Type message announced for `type_oid`, or nullptr when none did.
  [[nodiscard]] const std::string* announced(std::uint32_t type_oid) const noexcept;

private:
  std::unordered_map<std::uint32_t, std::string> announced_;
};

/// A commit time (µs since 2000-01-01 UTC, as pgoutput sends it) in the form
/// of `commit_timestamp`: "YYYY-MM-DDTHH:MM:SS.mmmZ".
[[nodiscard]] std::string format_commit_timestamp(std::int64_t postgres_us);

} // namespace rt::replication
