#pragma once

// The meta a presence carries: the fields the client tracked, plus phx_ref
// (unique per track or update) and, after an update, phx_ref_prev (the ref it
// replaced). The refs come first, then the client's fields in the order sent.

#include <string_view>

#include <boost/json/object.hpp>

namespace rt::presence {

/// The meta stored for `client`'s fields under `ref`, with `prev_ref` as
/// phx_ref_prev when not empty. Client fields named phx_ref or phx_ref_prev
/// are dropped: those names are the tracker's. Numbers JSON cannot carry
/// (infinite, from a literal like 1e999) are stored as null.
[[nodiscard]] boost::json::object tracked_meta(const boost::json::object& client,
                                               std::string_view ref,
                                               std::string_view prev_ref = {});

/// The phx_ref of `meta`; empty when it has none (or it is not a string).
[[nodiscard]] std::string_view phx_ref_of(const boost::json::object& meta);

/// Whether tracking `client` again would store the same fields as `stored`
/// holds, ignoring phx_ref and phx_ref_prev on both sides and field order. A
/// re-track that returns true changes nothing.
[[nodiscard]] bool same_client_fields(const boost::json::object& stored,
                                      const boost::json::object& client);

} // namespace rt::presence
