#include "rt/actors/message_stream.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "rt/actors/changes_messages.hpp"
#include "rt/actors/messages.hpp"
#include "rt/actors/unexpected.hpp"
#include "rt/protocol/events.hpp"
#include "rt/protocol/json_text.hpp"
#include "rt/replication/message_row.hpp"

namespace rt::actors {

namespace {

struct message_stream_state {
  message_stream_options options;
  std::unique_ptr<wal_reader> reader;
  static inline const char* name = "rt.message_stream";
};

using stream_self = caf::stateful_actor<message_stream_state>*;

std::size_t payload_size(const replication::message_row& row) {
  return row.binary ? row.binary->size() : row.payload_json.size();
}

pubsub::broadcast_message to_broadcast(replication::message_row&& row) {
  pubsub::broadcast_message out;
  out.topic = std::string{protocol::wire::realtime_prefix} + row.topic;
  out.scope = row.is_private ? pubsub::topic_scope::private_topic
                             : pubsub::topic_scope::public_topic;
  protocol::user_broadcast_payload body;
  body.user_event = std::move(row.event);
  if (row.binary) {
    body.encoding = protocol::payload_encoding::binary;
    body.bytes = std::move(*row.binary);
  } else {
    body.encoding = protocol::payload_encoding::json;
    body.bytes = std::move(row.payload_json);
  }
  out.user = std::move(body);
  out.meta_json = R"({"id":)" + protocol::json_string(row.id) + "}";
  out.message_id = std::move(row.id);
  return out;
}

void publish_rows(stream_self self, const wal_batch& batch) {
  auto& st = self->state;
  for (const auto& change : batch.changes) {
    auto row = replication::read_message_row(change);
    if (!row)
      continue;
    if (payload_size(*row) > st.options.max_payload_bytes) {
      spdlog::warn("database broadcast {} to {} dropped: payload larger than {} bytes", row->id,
                   row->topic, st.options.max_payload_bytes);
      continue;
    }
    self->send(st.options.pubsub, publish{to_broadcast(std::move(*row)), std::nullopt, nullptr});
  }
}

// Pubsub handles messages in order: once it answers a request sent after the
// batch's publishes, their frames are queued to every subscriber.
void acknowledge_after_pubsub(stream_self self, wal_batch& batch) {
  auto committed = batch.committed;
  auto bytes = batch.bytes;
  self->request(self->state.options.pubsub, caf::infinite, stats_atom::value)
    .then([self, committed, bytes](pubsub_stats&) {
      auto& st = self->state;
      if (!st.reader)
        return;
      const auto& link = st.reader->link();
      if (committed && *committed > link->handled.load())
        link->handled.store(*committed);
      link->pending_bytes.fetch_sub(bytes);
      if (link->paused.exchange(false))
        link->wake();
    });
}

void on_stream_event(const stream_event& ev) {
  if (ev.what != stream_event::kind::down)
    spdlog::info("database broadcast: streaming");
  else
    spdlog::warn("database broadcast: stream down: {}", ev.message);
}

caf::behavior stream_behavior(stream_self self, message_stream_options options) {
  auto& st = self->state;
  st.options = std::move(options);
  st.options.database.publication = messages_publication;
  self->set_default_handler(drop_unexpected);
  // The reader keeps figures of its slot; /metrics shows the changes slot's only.
  st.reader = std::make_unique<wal_reader>(st.options.database, st.options.reader,
                                           caf::actor{self},
                                           std::make_shared<replication_metrics>());
  // The reader ends (and joins its thread) with the state, on this actor's
  // own thread.
  st.reader->start_streaming();
  return {
    [self](wal_batch& batch) {
      publish_rows(self, batch);
      acknowledge_after_pubsub(self, batch);
    },
    [](stream_event& ev) { on_stream_event(ev); },
  };
}

} // namespace

caf::actor spawn_message_stream(caf::actor_system& sys, message_stream_options options) {
  return sys.spawn<caf::detached>(stream_behavior, std::move(options));
}

} // namespace rt::actors
