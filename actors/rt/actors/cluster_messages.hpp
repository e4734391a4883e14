#pragma once

// Messages that cross nodes. Each is inspectable (CAF's binary serializer
// carries it over BASP) and registered under the same name on every node by
// add_cluster_types(); local-only messages live in the other *_messages.hpp.
// CRDT state and row changes travel as bytes of their pure codecs
// (presence/wire_codec, replication/change_batch_codec), so the rules of
// what is valid stay in one place and a malformed message is rejected there.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>

#include "rt/presence/replica.hpp"

namespace rt::actors {

// -- membership ---------------------------------------------------------------------

/// What a node tells the others about itself: its name, where it accepts
/// nodes, and its node-wide actors.
struct member_card {
  std::string name;
  std::string host;
  std::uint16_t port = 0;
  caf::actor membership;
  caf::actor pubsub;
  caf::actor tracker;
  /// The replication_slot actor; invalid when Postgres changes are off.
  caf::actor changes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member_card& x) {
  return f(caf::meta::type_name("rt.member_card"), x.name, x.host, x.port, x.membership,
           x.pubsub, x.tracker, x.changes);
}

/// membership -> membership: I am `from` and know `known`; `proof` shows the
/// cluster secret. A node answers the first hello of a new member with its
/// own (`answer` set, which is not answered again).
struct cluster_hello {
  member_card from;
  std::vector<member_card> known;
  std::string proof;
  bool answer = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_hello& x) {
  return f(caf::meta::type_name("rt.cluster_hello"), x.from, x.known, x.proof, x.answer);
}

// -- pubsub ---------------------------------------------------------------------------

/// pubsub -> pubsub of another node: deliver this broadcast to your local
/// subscribers. Fields of pubsub::broadcast_message, flattened.
struct remote_publish {
  std::string topic;
  std::uint8_t scope = 0;
  std::uint8_t kind = 0;
  std::string event;
  std::string payload_json;
  bool has_binary = false;
  std::string binary;
  bool has_user = false;
  std::string user_event;
  std::uint8_t user_encoding = 0;
  std::string user_bytes;
  std::string meta_json;
  std::string message_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, remote_publish& x) {
  return f(caf::meta::type_name("rt.remote_publish"), x.topic, x.scope, x.kind, x.event,
           x.payload_json, x.has_binary, x.binary, x.has_user, x.user_event, x.user_encoding,
           x.user_bytes, x.meta_json, x.message_id);
}

// -- presence -------------------------------------------------------------------------

/// tracker -> tracker: what changed since the last heartbeat (presence
/// wire_codec delta bytes; none when `has_delta` is false: a periodic sign of
/// life) and the sender's clocks (version vector bytes).
struct tracker_heartbeat {
  presence::replica_ref from;
  caf::actor sender;
  bool has_delta = false;
  std::string delta;
  std::string clocks;
};

/// tracker -> tracker: send me what I miss; these are my clocks.
struct tracker_transfer_request {
  presence::replica_ref from;
  caf::actor sender;
  std::string clocks;
};

/// tracker -> tracker: the answer to a transfer request (transfer bytes).
struct tracker_transfer_answer {
  presence::replica_ref from;
  std::string payload;
};

/// tracker -> tracker: the sender is leaving for good (forget it now).
struct tracker_goodbye {
  presence::replica_ref from;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tracker_heartbeat& x) {
  return f(caf::meta::type_name("rt.tracker_heartbeat"), x.from.node, x.from.vsn, x.sender,
           x.has_delta, x.delta, x.clocks);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tracker_transfer_request& x) {
  return f(caf::meta::type_name("rt.tracker_transfer_request"), x.from.node, x.from.vsn,
           x.sender, x.clocks);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tracker_transfer_answer& x) {
  return f(caf::meta::type_name("rt.tracker_transfer_answer"), x.from.node, x.from.vsn,
           x.payload);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tracker_goodbye& x) {
  return f(caf::meta::type_name("rt.tracker_goodbye"), x.from.node, x.from.vsn);
}

// -- Postgres changes -----------------------------------------------------------------

/// replication_slot owning the slot -> the other nodes' replication_slot
/// actors: row changes in stream order (change_batch_codec bytes). When
/// `has_committed` is set, the transaction ending at `committed` is complete:
/// acknowledge it (changes_ack) once its frames left your process.
struct remote_changes {
  caf::actor owner;
  std::string batch;
  bool has_committed = false;
  std::uint64_t committed = 0;
  /// The owner's count of batches sent (acknowledged back as handled).
  std::uint64_t seq = 0;
  /// Where the owner's stream started (the slot's confirmed position then):
  /// a node whose last transaction end is before it missed what lies between.
  std::uint64_t session_start = 0;
};

/// The owner -> a replication_slot: you were disconnected too long to be
/// sent everything you missed (tell your subscribers).
using changes_gap_atom = caf::atom_constant<caf::atom("cdc_gap")>;

/// replication_slot -> the owner: every transaction up to `position` left
/// this node (the owner may confirm it to PostgreSQL), and every batch up to
/// `handled_seq` was handled (the owner may send more).
struct changes_ack {
  std::uint64_t position = 0;
  std::uint64_t handled_seq = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, remote_changes& x) {
  return f(caf::meta::type_name("rt.remote_changes"), x.owner, x.batch, x.has_committed,
           x.committed, x.seq, x.session_start);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, changes_ack& x) {
  return f(caf::meta::type_name("rt.changes_ack"), x.position, x.handled_seq);
}

// -- local: the membership actor wires the node-wide actors -------------------------

/// anyone -> membership (request): the other members' names, sorted.
using members_atom = caf::atom_constant<caf::atom("members")>;
/// membership itself: dial the seeds and lost members again.
using redial_atom = caf::atom_constant<caf::atom("redial")>;

/// membership -> pubsub, tracker and replication_slot: `peer` (the same
/// actor on another node) joined (`up`) or left the cluster.
struct cluster_peer {
  caf::actor peer;
  bool up = true;
};

/// Registers every type above with `cfg` (call on every node, before the
/// actor system starts).
void add_cluster_types(caf::actor_system_config& cfg);

} // namespace rt::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::cluster_peer)
