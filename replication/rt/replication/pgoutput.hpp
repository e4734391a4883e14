#pragma once

// pgoutput, the logical decoding output plugin's messages (PostgreSQL
// "Logical Replication Message Formats"), protocol versions 1 and 2.
//
// Decoding is pure and copies little: tuple values and message contents are
// views into the payload, so the payload buffer must outlive the decoded
// message; names (which a relation cache keeps) are copied.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "rt/replication/error.hpp"
#include "rt/replication/walsender.hpp"

namespace rt::replication {

/// How a column appears in TupleData.
enum class column_kind : char {
  null = 'n',
  unchanged_toast = 'u', ///< a TOASTed value the update did not touch: not sent
  text = 't',            ///< the type's text output
  binary = 'b',          ///< the type's binary send format
};

struct column_value {
  column_kind kind = column_kind::null;
  std::string_view bytes; ///< empty for null and unchanged_toast
};

using tuple_data = std::vector<column_value>;

struct begin_message {
  lsn final_lsn = 0;
  std::int64_t commit_time = 0; ///< µs since 2000-01-01
  std::uint32_t xid = 0;
};

struct commit_message {
  std::uint8_t flags = 0;
  lsn commit_lsn = 0;
  lsn end_lsn = 0; ///< the position to confirm once the transaction is handled
  std::int64_t commit_time = 0;
};

struct relation_column {
  bool key = false; ///< part of the replica identity
  std::string name;
  std::uint32_t type_oid = 0;
  std::int32_t type_modifier = -1;
};

/// Describes a table; sent before its first change and after any change to it.
struct relation_message {
  std::uint32_t relid = 0;
  std::string schema;
  std::string table;
  char replica_identity = 'd'; ///< 'd' default, 'n' nothing, 'f' full, 'i' index
  std::vector<relation_column> columns;
};

struct type_message {
  std::uint32_t oid = 0;
  std::string schema;
  std::string name;
};

struct origin_message {
  lsn commit_lsn = 0;
  std::string name;
};

struct insert_message {
  std::uint32_t relid = 0;
  tuple_data new_tuple;
};

/// `old_kind` is 'K' (key columns only) or 'O' (the whole old row, under
/// REPLICA IDENTITY FULL), or absent when only the new row is sent.
struct update_message {
  std::uint32_t relid = 0;
  std::optional<char> old_kind;
  tuple_data old_tuple;
  tuple_data new_tuple;
};

struct delete_message {
  std::uint32_t relid = 0;
  char old_kind = 'K'; ///< 'K' or 'O'
  tuple_data old_tuple;
};

struct truncate_message {
  std::uint8_t options = 0; ///< 1 cascade, 2 restart identity
  std::vector<std::uint32_t> relids;
};

/// pg_logical_emit_message() output (with `messages 'true'`).
struct logical_message {
  bool transactional = false;
  lsn at = 0;
  std::string_view prefix;
  std::string_view content;
};

/// Protocol 2 streaming of large in-progress transactions.
struct stream_start_message {
  std::uint32_t xid = 0;
  bool first_segment = false;
};
struct stream_stop_message {};
struct stream_commit_message {
  std::uint32_t xid = 0;
  std::uint8_t flags = 0;
  lsn commit_lsn = 0;
  lsn end_lsn = 0;
  std::int64_t commit_time = 0;
};
struct stream_abort_message {
  std::uint32_t xid = 0;
  std::uint32_t subxid = 0;
};

using pgoutput_body =
  std::variant<begin_message, commit_message, relation_message, type_message, origin_message,
               insert_message, update_message, delete_message, truncate_message,
               logical_message, stream_start_message, stream_stop_message,
               stream_commit_message, stream_abort_message>;

struct pgoutput_message {
  /// The transaction of a change sent inside a stream (between stream start
  /// and stream stop); absent otherwise.
  std::optional<std::uint32_t> stream_xid;
  pgoutput_body body;
};

/// Decodes one pgoutput message. `in_stream` tells whether it arrived between
/// a stream start and a stream stop, where R, Y, I, U, D, T and M messages
/// carry the transaction id after their type byte.
[[nodiscard]] expected<pgoutput_message> decode_pgoutput(std::string_view payload,
                                                         bool in_stream);

/// Relations by id, as the stream announced them; a new Relation message for
/// the same id replaces the old one.
class relation_cache {
public:
  void put(relation_message relation);
  /// The relation with `relid`, or nullptr when none was announced.
  [[nodiscard]] const relation_message* find(std::uint32_t relid) const;
  [[nodiscard]] std::size_t size() const noexcept { return relations_.size(); }

private:
  std::unordered_map<std::uint32_t, relation_message> relations_;
};

} // namespace rt::replication
