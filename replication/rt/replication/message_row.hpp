#pragma once

// A row inserted into realtime.messages, read from the replication stream,
// as database broadcast delivers it: the topic, event, privacy flag, and the
// payload (jsonb text, or the bytes of binary_payload, which wins when both
// are set). Rows of other extensions than broadcast, rows without a topic or
// event, and changes other than inserts are not broadcasts.

#include <optional>
#include <string>
#include <string_view>

#include "rt/replication/change_stream.hpp"

namespace rt::replication {

/// One database broadcast.
struct message_row {
  std::string id;
  std::string topic;
  std::string event;
  bool is_private = false;
  /// JSON text of `payload` (when not binary).
  std::string payload_json;
  /// The bytes of `binary_payload`, when set.
  std::optional<std::string> binary;
};

/// True when `relation` is realtime.messages or one of its daily partitions.
[[nodiscard]] bool is_messages_relation(const relation_message& relation) noexcept;

/// The broadcast `c` carries, or nullopt when it carries none (see above).
[[nodiscard]] std::optional<message_row> read_message_row(const row_change& c);

/// The bytes of bytea's hex text output ("\x0aff"); nullopt when malformed.
[[nodiscard]] std::optional<std::string> bytea_from_hex(std::string_view text);

} // namespace rt::replication
