#pragma once

// Turns the pgoutput messages of one replication stream into self-contained
// row changes. It keeps what the stream announced (relations, types) and the
// transaction in progress, builds each change's `data` with every column
// once, and tells when a transaction has been fully seen so that its end can
// be confirmed after its changes were handed on.
//
// Protocol version 1 is expected: PostgreSQL then sends a transaction only
// once it committed, so changes can be handed on before their Commit
// arrives and memory does not grow with the size of a transaction. When the
// connection drops in the middle of one, PostgreSQL sends it again from its
// Begin (with the same final LSN) on the next connection: the stream
// remembers how many of its rows it went through and skips those.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "rt/replication/change_payload.hpp"
#include "rt/replication/pgoutput.hpp"
#include "rt/replication/type_names.hpp"

namespace rt::replication {

/// A table as the stream last described it, with what payloads need.
struct relation_snapshot {
  relation_message relation;
  /// The type names known when the relation arrived.
  type_names types;
  /// Per column: part of the table's primary key.
  std::vector<bool> primary_key;
  /// Per column: its type from the catalog (value_oid 0 where unknown).
  std::vector<column_type> column_types;

  /// Position of the column called `name`, if the relation has one.
  [[nodiscard]] std::optional<std::size_t> index_of(std::string_view name) const;

  /// Builds the snapshot and its name index.
  relation_snapshot(relation_message r, type_names t, std::vector<bool> pk,
                    std::vector<column_type> column_types = {});

private:
  // Transparent, so that index_of looks a name up without copying it.
  struct name_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, std::size_t, name_hash, std::equal_to<>> index_;
};

enum class change_kind : std::uint8_t { insert = 1, update = 2, remove = 4 };

/// One row change. It owns its pgoutput message, so it can travel between
/// threads; decode() gives the tuples as views into it.
struct row_change {
  std::shared_ptr<const relation_snapshot> relation;
  change_kind kind = change_kind::insert;
  std::int64_t commit_time = 0; ///< µs since 2000-01-01
  lsn commit_lsn = 0;           ///< its transaction's commit position
  /// The row's 0-based index within its transaction, counting every row of
  /// the transaction as PostgreSQL sent it (so a transaction sent again
  /// after a reconnect gives each row the same position).
  std::uint32_t position = 0;
  std::string message;          ///< the Insert, Update or Delete message
  /// The `data` JSON with every column, shared by every subscriber that sees
  /// all of them. Null when the stream was told not to build it for this
  /// relation (see change_stream::build_data_for); full_data then builds it.
  std::shared_ptr<const std::string> data;

  /// Bytes this change holds.
  [[nodiscard]] std::size_t bytes() const noexcept;
};

/// The decoded tuples of a row change.
struct row_tuples {
  std::variant<insert_message, update_message, delete_message> body;
};

/// Decodes `c.message` again (cheap: values are views into it).
[[nodiscard]] expected<row_tuples> decode_row(const row_change& c);

/// The value filters see for column `i`: the new row for inserts and
/// updates (an unchanged TOAST value taken from the full old row when it was
/// sent), the old row for deletes. Outer nullopt: the stream did not carry
/// the value (a TOAST value left out, a column outside the replica identity,
/// which a key-only old row sends as 'n'); inner nullopt: SQL NULL.
[[nodiscard]] std::optional<std::optional<std::string_view>>
filter_value(const row_change& c, const row_tuples& t, std::size_t i);

/// The payload of `c` restricted to `visible` columns (empty: all of them);
/// with `old_key_only`, a delete's old_record keeps only the primary key.
[[nodiscard]] std::string change_data(const row_change& c, const row_tuples& t,
                                      std::vector<bool> visible, std::size_t max_record_bytes,
                                      bool old_key_only = false);

/// The primary key of the row as `c` leaves it (the new row of an insert or
/// update, the old row of a delete): column names in the relation's order
/// and their values as sent; nullopt for NULL or a value the stream did not
/// carry. Empty for a table without a primary key.
struct row_key {
  std::vector<std::string> columns;
  std::vector<std::optional<std::string>> values;
};
[[nodiscard]] row_key key_of(const row_change& c, const row_tuples& t);

/// `c.data`, or when the stream left it out, the payload with every column
/// built now (`t` being decode_row(c)).
[[nodiscard]] std::shared_ptr<const std::string>
full_data(const row_change& c, const row_tuples& t, std::size_t max_record_bytes);

/// What one fed message produced.
struct stream_output {
  /// New row changes, in stream order.
  std::vector<row_change> changes;
  /// Set when a transaction ended: confirm this position once every change
  /// before it was handed on.
  std::optional<lsn> committed;
};

/// What the catalog says about a relation's columns, by column name.
struct relation_facts {
  /// Names of the primary key columns (none: the table has no primary key).
  std::vector<std::string> primary_key;
  /// Column name and type; columns missing here keep the stream's OIDs.
  std::vector<std::pair<std::string, column_type>> columns;
};

/// Asks the catalog about a relation, once per Relation message.
using relation_lookup = std::function<relation_facts(const relation_message&)>;

/// Whether changes of the relation `relid` should carry their `data`.
using relation_predicate = std::function<bool(std::uint32_t relid)>;

class change_stream {
public:
  change_stream(relation_lookup lookup, std::size_t max_record_bytes);

  /// Feeds one pgoutput message (the payload of an XLogData).
  [[nodiscard]] expected<void> feed(std::string_view payload, stream_output& out);

  /// True between a Begin and its Commit.
  [[nodiscard]] bool in_transaction() const noexcept { return in_transaction_; }

  /// Transactions committed at or before `commit_lsn` were handled already:
  /// when the stream sends them again (after a reconnect) they are skipped.
  /// The rows already fed of the latest transaction are skipped without it
  /// when that transaction is sent again, so a reader calls
  /// skip_through(last_commit()) on each new connection and nothing else.
  void skip_through(lsn commit_lsn) noexcept { skip_through_ = commit_lsn; }

  /// The commit position of the last transaction fully fed.
  [[nodiscard]] lsn last_commit() const noexcept { return last_commit_; }

  /// From now on builds `data` only for changes whose relid `wanted`
  /// accepts (called once per change, on the feeding thread) and leaves it
  /// null for the others; an empty `wanted` (the default) builds it for all.
  /// Whoever reads `data` then uses full_data, since a relation may become
  /// wanted between reading and delivering a change.
  void build_data_for(relation_predicate wanted) { wanted_ = std::move(wanted); }

private:
  void on_relation(relation_message r);
  void on_begin(const begin_message& b);
  [[nodiscard]] bool seen_before();
  template <class Message>
  void add_row(std::string_view payload, const Message& m, change_kind kind,
               stream_output& out);

  // Rows fed of the latest transaction (by final LSN) so far, over every time
  // it was sent.
  struct transaction_progress {
    lsn final_lsn = 0;
    std::size_t rows = 0;
  };

  relation_lookup lookup_;
  relation_predicate wanted_;
  std::size_t max_record_bytes_;
  type_names types_;
  std::unordered_map<std::uint32_t, std::shared_ptr<const relation_snapshot>> relations_;
  bool in_transaction_ = false;
  bool skipping_ = false;
  std::int64_t commit_time_ = 0;
  lsn commit_lsn_ = 0;
  lsn skip_through_ = 0;
  lsn last_commit_ = 0;
  transaction_progress latest_;
  bool resumable_ = false; // this transaction is `latest_`
  std::size_t row_position_ = 0; // rows fed since its Begin
};

} // namespace rt::replication
