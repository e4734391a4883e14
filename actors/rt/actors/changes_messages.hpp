#pragma once

// Messages of the Postgres Changes path: channels subscribe at the node's
// replication_slot actor; its WAL reader thread hands it row changes and
// stream events. Local-only types (they carry sinks and shared buffers).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include "rt/connection_sink.hpp"
#include "rt/protocol/message.hpp"
#include "rt/protocol/vsn.hpp"
#include "rt/replication/binding.hpp"
#include "rt/replication/change_stream.hpp"

namespace rt::actors {

/// replication_slot itself: retry subscriptions the database could not check.
using retry_atom = caf::atom_constant<caf::atom("cdc_retry")>;
/// replication_slot itself: try again to deliver held batches.
using drain_atom = caf::atom_constant<caf::atom("cdc_drain")>;
/// replication_slot itself: look again whether written changes were flushed.
using confirm_atom = caf::atom_constant<caf::atom("cdc_flush")>;
/// replication_slot itself: ask visibility check `id` again (attempt n).
using recheck_atom = caf::atom_constant<caf::atom("cdc_rechk")>;
/// endpoint -> replication_slot (request): stop streaming before the
/// sockets close; replies once the reader confirmed what left the process.
using stop_streaming_atom = caf::atom_constant<caf::atom("cdc_stop")>;

/// channel -> replication_slot: deliver changes matching `bindings` to this
/// channel's client. The channel's death ends the subscription.
struct changes_subscription {
  caf::actor channel;
  std::shared_ptr<connection_sink> sink;
  protocol::vsn version = protocol::vsn::v2;
  std::string topic;
  protocol::ref_value join_ref;
  /// The token's `role` claim: whose privileges decide what is visible.
  std::string role;
  std::vector<replication::binding> bindings;
  /// The token's verified claims as a JSON object text: with `role`, whose
  /// eyes row level security checks rows with (request.jwt.claims).
  std::string claims_json = "{}";
};

/// WAL reader -> replication_slot: row changes in stream order. Once they are
/// handed on, `committed` (when set) may be confirmed to PostgreSQL.
struct wal_batch {
  std::vector<replication::row_change> changes;
  std::optional<replication::lsn> committed;
  std::size_t bytes = 0;
  /// The replication_slot actor of the node that streamed it, when another
  /// node forwarded it (remote_changes); invalid for this node's own stream.
  caf::actor forwarded_by;
  /// That node's number for the batch, and where its stream started.
  std::uint64_t seq = 0;
  replication::lsn session_start = 0;
};

/// WAL reader -> replication_slot: the stream's state changed.
struct stream_event {
  /// standby: another process streams the slot (the reader keeps trying).
  enum class kind : std::uint8_t { up, down, slot_recreated, standby };
  kind what = kind::up;
  std::string message;
  /// up and slot_recreated: the slot's confirmed position the stream
  /// resumes after.
  replication::lsn start = 0;
};

} // namespace rt::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::changes_subscription)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::wal_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::stream_event)
