#include "rt/actors/replication_slot.hpp"

#include <deque>
#include <unordered_map>

#include <algorithm>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "rt/actors/catalog_actor.hpp"
#include "rt/actors/changes_messages.hpp"
#include "rt/actors/route_builder.hpp"
#include "rt/actors/unexpected.hpp"
#include "rt/protocol/encode.hpp"
#include "rt/protocol/events.hpp"
#include "rt/protocol/join_config.hpp"
#include "rt/protocol/json_text.hpp"

namespace rt::actors {

namespace {

namespace wire = protocol::wire;

// Delay before subscriptions the database could not check are tried again.
constexpr std::chrono::seconds retry_delay{5};
// While a subscriber's queue is above half its bound, the stream waits for
// it (checking this often); one that stays there this long is closed as a
// slow consumer, so a stuck client cannot stall everybody.
constexpr std::chrono::milliseconds congestion_poll{10};
constexpr std::chrono::seconds congestion_limit{10};

// A channel's subscription as it asked for it, and how far it got.
struct subscriber : changes_subscription {
  bool registered = false; // its routes are in the router
  bool told_live = false;  // it was last told "Subscribed to PostgreSQL"
};

struct slot_state {
  replication_slot_options options;
  caf::actor catalog;
  std::unique_ptr<wal_reader> reader;
  replication::change_router router;
  std::unordered_map<std::uint64_t, subscriber> subscribers;
  bool streaming = false;
  bool retry_scheduled = false;
  // Batches received and not yet delivered (bounded: the reader stops at
  // its pending-bytes limit until they are acknowledged).
  std::deque<wal_batch> held;
  // Sinks above half their bound, and since when the first of them was.
  std::vector<std::shared_ptr<connection_sink>> congested;
  std::chrono::steady_clock::time_point congested_since{};
  bool drain_scheduled = false;
  // Sinks written to by the batch being delivered.
  std::vector<std::shared_ptr<connection_sink>> touched;
  // Transaction ends handed on whose frames are still in some sink's queue:
  // confirmed once every one of those sinks has flushed them.
  std::deque<std::pair<replication::lsn, std::vector<std::shared_ptr<connection_sink>>>> unflushed;
  bool flush_check_scheduled = false;
  static inline const char* name = "rt.replication_slot";
};

using slot_self = caf::stateful_actor<slot_state>*;

// -- system messages ----------------------------------------------------------------

void tell(const subscriber& s, std::string_view status, std::string_view message) {
  auto sub_topic = protocol::realtime_subtopic(s.topic).value_or(s.topic);
  s.sink->send(protocol::encode_push(
    s.version, s.join_ref, s.topic, wire::system,
    protocol::system_payload(wire::extension_postgres_changes, status, message, sub_topic)));
}

void tell_live(subscriber& s) {
  if (s.told_live)
    return;
  s.told_live = true;
  tell(s, wire::status_ok, wire::changes_subscribed);
}

void tell_all_error(slot_self self, std::string_view message) {
  for (auto& [id, s] : self->state.subscribers) {
    if (!s.registered)
      continue;
    s.told_live = false;
    tell(s, wire::status_error, message);
  }
}

// -- subscribing --------------------------------------------------------------------

void start_reader(slot_self self) {
  auto& st = self->state;
  if (st.reader)
    return;
  st.reader = std::make_unique<wal_reader>(st.options.database, st.options.reader,
                                           caf::actor{self}, st.options.metrics);
}

void resolve(slot_self self, std::uint64_t id);

void schedule_retry(slot_self self) {
  if (self->state.retry_scheduled)
    return;
  self->state.retry_scheduled = true;
  self->delayed_send(self, retry_delay, retry_atom::value);
}

void on_resolved(slot_self self, std::uint64_t id, resolve_reply& reply) {
  auto& st = self->state;
  auto it = st.subscribers.find(id);
  if (it == st.subscribers.end())
    return; // the channel ended meanwhile
  auto& s = it->second;
  if (reply.unavailable) {
    tell(s, wire::status_error, wire::changes_error_database_unavailable);
    schedule_retry(self);
    return;
  }
  if (!reply.error.empty()) {
    tell(s, wire::status_error, reply.error);
    st.subscribers.erase(it);
    return;
  }
  std::vector<replication::change_route> routes;
  for (std::size_t i = 0; i < s.bindings.size() && i < reply.tables.size(); ++i) {
    auto built = build_routes(id, s.role, s.bindings[i], reply.tables[i]);
    if (!built) {
      tell(s, wire::status_error, built.error());
      st.subscribers.erase(it);
      return;
    }
    for (auto& r : *built)
      routes.push_back(std::move(r));
  }
  for (auto& r : routes)
    st.router.add(std::move(r));
  s.registered = true;
  start_reader(self);
  if (st.streaming)
    tell_live(s);
}

void resolve(slot_self self, std::uint64_t id) {
  auto& s = self->state.subscribers.at(id);
  resolve_request req{s.role, {}};
  for (const auto& b : s.bindings)
    req.specs.push_back(spec_of(b));
  self->request(self->state.catalog, caf::infinite, std::move(req))
    .then([self, id](resolve_reply& reply) { on_resolved(self, id, reply); },
          [self, id](caf::error&) {
            resolve_reply unavailable{true, {}, {}};
            on_resolved(self, id, unavailable);
          });
}

void subscribe(slot_self self, changes_subscription& sub) {
  auto id = sub.channel.id();
  self->monitor(sub.channel);
  subscriber entry;
  static_cast<changes_subscription&>(entry) = std::move(sub);
  self->state.subscribers[id] = std::move(entry);
  resolve(self, id);
}

void retry_unregistered(slot_self self) {
  self->state.retry_scheduled = false;
  std::vector<std::uint64_t> waiting;
  for (auto& [id, s] : self->state.subscribers)
    if (!s.registered)
      waiting.push_back(id);
  for (auto id : waiting)
    resolve(self, id);
}

// -- delivering ---------------------------------------------------------------------

// Frames of one change, one per distinct (topic, serializer, ids, columns).
class frame_cache {
public:
  frame_cache(const replication::row_change& c, const replication::row_tuples& t,
              std::size_t max_record_bytes)
    : change_(c), tuples_(t), max_record_bytes_(max_record_bytes) {}

  protocol::shared_frame frame(const subscriber& s, const replication::route_match& m) {
    auto key = s.topic;
    key.push_back('\0');
    key.push_back(static_cast<char>(s.version));
    key.append(reinterpret_cast<const char*>(m.ids.data()), m.ids.size() * sizeof(m.ids[0]));
    const void* columns = m.columns.get();
    key.append(reinterpret_cast<const char*>(&columns), sizeof(columns));
    auto& f = frames_[key];
    if (!f)
      f = protocol::encode_broadcast(s.version, s.topic, wire::postgres_changes, payload(m));
    return f;
  }

private:
  std::string payload(const replication::route_match& m) {
    std::string p = R"({"ids":[)";
    for (std::size_t i = 0; i < m.ids.size(); ++i) {
      if (i > 0)
        p.push_back(',');
      p.append(std::to_string(m.ids[i]));
    }
    p.append(R"(],"data":)").append(data(m.columns)).push_back('}');
    return p;
  }

  const std::string& data(const replication::column_selection& columns) {
    if (!columns)
      return *change_.data;
    auto& d = narrowed_[columns.get()];
    if (d.empty())
      d = replication::change_data(change_, tuples_,
                                   replication::visible_mask(*change_.relation, columns),
                                   max_record_bytes_);
    return d;
  }

  const replication::row_change& change_;
  const replication::row_tuples& tuples_;
  std::size_t max_record_bytes_;
  std::unordered_map<std::string, protocol::shared_frame> frames_;
  std::unordered_map<const void*, std::string> narrowed_;
};

void deliver(slot_self self, const replication::row_change& c) {
  auto& st = self->state;
  if (!st.router.watches(c.relation->relation.relid))
    return;
  auto tuples = replication::decode_row(c);
  if (!tuples)
    return;
  auto matches = st.router.match(c, *tuples);
  if (matches.empty())
    return;
  frame_cache frames{c, *tuples, st.options.reader.max_record_bytes};
  for (const auto& m : matches) {
    auto it = st.subscribers.find(m.subscriber);
    if (it == st.subscribers.end())
      continue;
    auto& sink = it->second.sink;
    sink->send(frames.frame(it->second, m));
    st.options.metrics->deliveries.fetch_add(1, std::memory_order_relaxed);
    if (st.touched.empty() || st.touched.back() != sink)
      st.touched.push_back(sink);
    if (sink->queued_bytes() > sink->max_queued_bytes() / 2 &&
        std::find(st.congested.begin(), st.congested.end(), sink) == st.congested.end()) {
      if (st.congested.empty())
        st.congested_since = std::chrono::steady_clock::now();
      st.congested.push_back(sink);
    }
  }
}

// True while some subscriber's queue is still above half its bound. One
// stuck past the limit is closed as a slow consumer instead.
bool congested(slot_self self) {
  auto& st = self->state;
  std::erase_if(st.congested, [](const std::shared_ptr<connection_sink>& s) {
    return s->queued_bytes() <= s->max_queued_bytes() / 4;
  });
  if (st.congested.empty())
    return false;
  if (std::chrono::steady_clock::now() - st.congested_since < congestion_limit)
    return true;
  for (auto& sink : st.congested) {
    spdlog::warn("replication: closing a subscriber that read nothing for {} s",
                 congestion_limit.count());
    sink->close(wire::close_policy, std::string{wire::reason_slow_consumer});
  }
  st.congested.clear();
  return false;
}

// Moves the confirmable position over every transaction end whose frames
// all reached the operating system: after a crash those reach the client
// anyway, so nothing confirmed is lost with the process.
void confirm_flushed(slot_self self) {
  auto& st = self->state;
  st.flush_check_scheduled = false;
  while (!st.unflushed.empty()) {
    auto& [position, sinks] = st.unflushed.front();
    std::erase_if(sinks, [](const std::shared_ptr<connection_sink>& s) { return s->flushed(); });
    if (!sinks.empty())
      break;
    if (st.reader)
      st.reader->link()->handled.store(position);
    st.unflushed.pop_front();
  }
  if (!st.unflushed.empty()) {
    st.flush_check_scheduled = true;
    self->delayed_send(self, congestion_poll, confirm_atom::value);
  }
}

void acknowledge(slot_self self, const wal_batch& batch) {
  auto& st = self->state;
  st.options.metrics->changes.fetch_add(batch.changes.size(), std::memory_order_relaxed);
  if (!st.reader)
    return;
  // A transaction may span batches: its sinks add up until its end.
  if (batch.committed) {
    auto touched = std::exchange(st.touched, {});
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    st.unflushed.emplace_back(*batch.committed, std::move(touched));
    if (!st.flush_check_scheduled)
      confirm_flushed(self);
  }
  const auto& link = st.reader->link();
  link->pending_bytes.fetch_sub(batch.bytes);
  if (link->paused.exchange(false))
    link->wake();
}

// Delivers held batches in order until a subscriber has to catch up.
void drain(slot_self self) {
  auto& st = self->state;
  st.drain_scheduled = false;
  while (!st.held.empty()) {
    if (congested(self)) {
      st.drain_scheduled = true;
      self->delayed_send(self, congestion_poll, drain_atom::value);
      return;
    }
    auto& batch = st.held.front();
    for (const auto& c : batch.changes)
      deliver(self, c);
    acknowledge(self, batch);
    st.held.pop_front();
  }
}

void on_batch(slot_self self, wal_batch& batch) {
  auto& st = self->state;
  st.held.push_back(std::move(batch));
  if (!st.drain_scheduled)
    drain(self);
}

void on_stream_event(slot_self self, const stream_event& ev) {
  auto& st = self->state;
  switch (ev.what) {
    case stream_event::kind::down:
      spdlog::warn("replication: stream down: {}", ev.message);
      if (st.streaming || !ev.message.empty())
        tell_all_error(self, wire::changes_error_stream_lost);
      st.streaming = false;
      break;
    case stream_event::kind::slot_recreated:
      tell_all_error(self, wire::changes_error_slot_recreated);
      [[fallthrough]];
    case stream_event::kind::up:
      st.streaming = true;
      for (auto& [id, s] : st.subscribers)
        if (s.registered)
          tell_live(s);
      break;
  }
  st.options.metrics->streaming.store(st.streaming);
}

caf::behavior slot_behavior(slot_self self, replication_slot_options options) {
  auto& st = self->state;
  st.options = std::move(options);
  st.catalog = spawn_catalog(self->system(), st.options.database);
  self->link_to(st.catalog);
  self->set_default_handler(drop_unexpected);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto id = dm.source.id();
    self->state.router.remove_subscriber(id);
    self->state.subscribers.erase(id);
  });
  if (st.options.start_eagerly)
    start_reader(self);
  return {
    [self](changes_subscription& sub) { subscribe(self, sub); },
    [self](wal_batch& batch) { on_batch(self, batch); },
    [self](drain_atom) { drain(self); },
    [self](confirm_atom) { confirm_flushed(self); },
    [self](stream_event& ev) { on_stream_event(self, ev); },
    [self](retry_atom) { retry_unregistered(self); },
  };
}

} // namespace

caf::actor spawn_replication_slot(caf::actor_system& sys, replication_slot_options options) {
  return sys.spawn(slot_behavior, std::move(options));
}

} // namespace rt::actors
