#pragma once

// Binary encoding of the tracker's CRDT messages, for trackers on different
// processes: the clocks of heartbeats and transfer requests, heartbeat deltas,
// and transfer answers. Every message is
//
//   format version (1 byte, 1) | kind (1 byte) | body
//
// with kind 1 = version_vector, 2 = delta, 3 = causal_state. Integers are
// unsigned LEB128 varints of at most 10 bytes, minimal (no redundant
// trailing zero groups). The body, in order of appearance:
//
//   string          length, bytes (arbitrary: topics may start with 0xFF)
//   replica         string node, vsn
//   version_vector  count, count x (replica, clock); replicas ascending
//   clocks          count, first clock, then each next minus the previous
//                   (so >= 1); ascending
//   dot_clouds      count, count x (replica, clocks); replicas ascending
//   dotted_values   count of replica groups, per group: replica, count >= 1,
//                   per value: clock (as in clocks), string topic, string
//                   key, owner, string meta (JSON text of an object,
//                   infinities as [-]1e99999 and NaN as null); replicas
//                   ascending
//   delta           version_vector start, version_vector end, dot_clouds,
//                   dotted_values
//   causal_state    version_vector contiguous, dot_clouds, dotted_values
//
// Orders are the maps' own, so each value has exactly one encoding and
// decoding rejects anything else. A transfer answer is the encoding of the
// alternative it holds; its kind tells which.
//
// Decoding treats its input as untrusted: it never reads outside it, throws
// only if memory runs out, and allocates at most a small multiple of the
// input's size (every length and count is checked against the bytes left
// before anything is built from it).

#include <string>
#include <string_view>

#include "rt/presence/causal_state.hpp"
#include "rt/presence/delta.hpp"
#include "rt/presence/error.hpp"
#include "rt/presence/tracker_core.hpp"
#include "rt/presence/version_vector.hpp"

namespace rt::presence {

/// The first byte of every encoding; a later format uses another value.
inline constexpr unsigned char wire_format_version = 1;

/// `v` as a version_vector message.
[[nodiscard]] std::string encode_version_vector(const version_vector& v);

/// The vector `bytes` encodes. Fails with errc::malformed unless `bytes` is
/// exactly one version_vector message of this format.
[[nodiscard]] expected<version_vector> decode_version_vector(std::string_view bytes);

/// `d` as a delta message. Metas must be valid UTF-8 (as parsed ones are)
/// to decode again.
[[nodiscard]] std::string encode_delta(const delta& d);

/// The delta `bytes` encodes. Fails with errc::malformed unless `bytes` is
/// exactly one delta message of this format whose metas are JSON objects.
[[nodiscard]] expected<delta> decode_delta(std::string_view bytes);

/// `t` as a delta or causal_state message (the same bytes encode_delta
/// makes for a delta).
[[nodiscard]] std::string encode_transfer(const transfer_payload& t);

/// The transfer answer `bytes` encodes: a delta or a causal_state message.
/// Fails with errc::malformed as decode_delta does.
[[nodiscard]] expected<transfer_payload> decode_transfer(std::string_view bytes);

} // namespace rt::presence
