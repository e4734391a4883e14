#pragma once

// Taking a client's identity in a transaction, as Supabase Realtime does
// before it lets row level security decide for that client: the role of the
// client's token and its claims, set for the transaction only
// (set_config(..., true)):
//
//   role                    the token's role
//   request.jwt.claims      the claims (JSON object text)
//   request.jwt.claim.sub   the `sub` claim ('' without one)
//   request.jwt.claim.role  the role again
//
// The transaction is always rolled back, so nothing a check does stays and
// the session's own role comes back. Blocking: call from a thread of its own.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "rt/db/connection.hpp"

namespace rt::db {

/// Whom a session acts as.
struct client_identity {
  /// The token's role claim.
  std::string role;
  /// The token's claims as a JSON object text.
  std::string claims_json = "{}";
  /// The `sub` claim, if it is a string.
  std::optional<std::string> sub = std::nullopt;
};

/// A setting name and its value for the transaction.
using setting = std::pair<std::string, std::string>;

/// Takes `who`'s identity for the rest of the open transaction, with the
/// `extra` settings. Refuses an empty role and the role `none` (any case)
/// with 22023: SET ROLE none would keep the server's own role, which row
/// level security does not restrict. Errors: a role that does not exist or
/// may not be taken (PostgreSQL's), a broken session.
[[nodiscard]] tl::expected<void, db_error>
take_identity(PGconn* conn, const client_identity& who, const std::vector<setting>& extra = {});

/// Runs `sql` (with `params`) for its effect only.
[[nodiscard]] tl::expected<void, db_error> run_statement(PGconn* conn, const std::string& sql,
                                               const std::vector<param>& params = {});

/// Runs `body()` (which returns a tl::expected<_, db_error>) in a transaction
/// that is always rolled back; a failed ROLLBACK after a successful body is
/// the result's error.
template <class Body>
auto rolled_back(PGconn* conn, Body&& body) -> decltype(body()) {
  if (auto begun = run_statement(conn, "BEGIN"); !begun)
    return tl::unexpected(begun.error());
  auto out = body();
  if (auto ended = run_statement(conn, "ROLLBACK"); !ended && out)
    return tl::unexpected(ended.error());
  return out;
}

} // namespace rt::db
