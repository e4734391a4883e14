#pragma once

// The frames of one row change: encoded once per distinct (topic,
// serializer, binding ids, visible columns, key-only old_record) and shared
// by every subscriber that gets the same bytes.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "rt/protocol/vsn.hpp"
#include "rt/protocol/wire_frame.hpp"
#include "rt/replication/change_router.hpp"
#include "rt/replication/change_stream.hpp"

namespace rt::actors {

class change_frames {
public:
  /// `change` and `tuples` must outlive this object.
  change_frames(const replication::row_change& change, const replication::row_tuples& tuples,
                std::size_t max_record_bytes)
    : change_(change), tuples_(tuples), max_record_bytes_(max_record_bytes) {}

  /// The `postgres_changes` frame of `m` for `topic` in serializer `v`.
  protocol::shared_frame frame(std::string_view topic, protocol::vsn v,
                               const replication::route_match& m);

private:
  std::string payload(const replication::route_match& m);
  const std::string& data(const replication::route_match& m);

  const replication::row_change& change_;
  const replication::row_tuples& tuples_;
  std::size_t max_record_bytes_;
  std::unordered_map<std::string, protocol::shared_frame> frames_;
  std::shared_ptr<const std::string> full_;
  // Narrowed payloads by column set, and those with a key-only old_record.
  std::unordered_map<const void*, std::string> narrowed_;
  std::unordered_map<const void*, std::string> key_only_;
};

} // namespace rt::actors
