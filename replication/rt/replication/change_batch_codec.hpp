#pragma once

// Row changes as bytes, so that the node streaming a replication slot can
// hand them to other nodes, which route them as if they had decoded them.
//
//   batch     = version:u8 (1) count snapshot*count count change*count
//   snapshot  = relid:u32 schema:str table:str replica_identity:u8
//               count column*count   count pk_flag:u8*count
//               count column_type*count   count (oid:u32 name:str)*count
//   column    = key:u8 name:str type_oid:u32 type_modifier:i32
//   column_type = type_name:str value_oid:u32 element_oid:u32
//   change    = snapshot:count kind:u8 (1 insert, 2 update, 4 delete)
//               commit_time:i64 commit_lsn:u64 position:count message:str
//               has_data:u8 (0 or 1) [data:str]
//   str       = count byte*count
//
// Fixed-width integers are little-endian; counts, lengths, indexes and the
// position are unsigned LEB128 varints. A snapshot is written once per batch
// and its changes refer to it by index. A snapshot's type names hold every
// type the stream announced so far, but readers only ever ask for the names
// of its columns' types, and built-in names need no entry: only the
// announced names of its columns' types are written.

#include <string>
#include <string_view>
#include <vector>

#include "rt/replication/change_stream.hpp"
#include "rt/replication/error.hpp"

namespace rt::replication {

/// The bytes of `changes`, in order. Every change must have a relation (as
/// every change of a change_stream has).
[[nodiscard]] std::string encode_changes(const std::vector<row_change>& changes);

/// The changes `bytes` (written by encode_changes) holds, equal to the
/// encoded ones in every field and in what decode_row, filter_value,
/// change_data, key_of and full_data give for them. Changes that shared a
/// snapshot share one again. Untrusted input is safe: errors are values
/// (truncated, trailing_bytes, malformed_batch), no read goes past `bytes`
/// and memory stays within a small multiple of its size.
[[nodiscard]] expected<std::vector<row_change>> decode_changes(std::string_view bytes);

} // namespace rt::replication
