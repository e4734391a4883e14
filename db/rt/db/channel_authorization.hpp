#pragma once

// Who may read and write a private channel, decided by the row level security
// policies on realtime.messages exactly as Supabase Realtime asks them:
//
//   read   In one transaction, as the server's own user, insert a probe row
//          per extension (topic, extension) with ids made here; then become
//          the client (role, claims, topic, headers: see below) and select
//          those ids. Each probe the client can see grants read for its
//          extension. Rolled back.
//   write  Become the client and insert a row per extension, each in a
//          savepoint; "insufficient privilege" denies write, anything else
//          is an error. Rolled back.
//
// "Become the client" sets, for the transaction: role = the token's role,
// realtime.topic = the sub-topic, request.jwt.claims = the claims (JSON),
// request.jwt.claim.sub and request.jwt.claim.role, request.headers = the
// request's headers (JSON object). Nothing is ever committed. Blocking: call
// from a thread of its own. Needs the realtime schema (realtime_schema.hpp)
// and a partition of realtime.messages for the current day.

#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "rt/db/connection.hpp"

namespace rt::db {

/// The client whose permissions are asked.
struct channel_client {
  /// The channel's sub-topic (what realtime.topic() returns).
  std::string topic;
  /// The token's role claim.
  std::string role;
  /// The token's claims as a JSON object text.
  std::string claims_json = "{}";
  /// The `sub` claim, if it is a string.
  std::optional<std::string> sub = std::nullopt;
  /// The request's headers as a JSON object text.
  std::string headers_json = "{}";
};

/// What a check found, per extension; nullopt where it was not asked.
struct channel_permissions {
  std::optional<bool> broadcast;
  std::optional<bool> presence;
};

/// The extensions a check covers.
enum class extensions { broadcast, broadcast_and_presence };

/// Read permissions of `client` (presence only with broadcast_and_presence).
/// An error is a policy that failed to run, or a missing role or partition.
tl::expected<channel_permissions, db_error>
check_read(PGconn* conn, const channel_client& client, extensions which);

/// Write permissions of `client`, as check_read.
tl::expected<channel_permissions, db_error>
check_write(PGconn* conn, const channel_client& client, extensions which);

} // namespace rt::db
