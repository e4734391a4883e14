#pragma once

// From a channel's bindings and what the catalog said about their tables to
// the routes the replication_slot matches changes with. Refuses what may not
// be delivered: tables whose primary key the role may not read, filters that
// do not compile for their column. Routes of tables under row level security
// say so: their rows are then checked per change with the subscriber's
// identity unless its role bypasses row level security.

#include <cstdint>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "rt/db/catalog.hpp"
#include "rt/replication/binding.hpp"
#include "rt/replication/change_router.hpp"

namespace rt::actors {

/// The spec the catalog resolves for `b`.
[[nodiscard]] db::binding_spec spec_of(const replication::binding& b);

/// The routes of binding `b` of `subscriber` over `tables` (what the catalog
/// resolved for it), or the client-facing error.
[[nodiscard]] tl::expected<std::vector<replication::change_route>, std::string>
build_routes(std::uint64_t subscriber, const std::string& role, const replication::binding& b,
             const std::vector<db::table_info>& tables);

} // namespace rt::actors
