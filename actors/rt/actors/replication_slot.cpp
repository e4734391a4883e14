#include "rt/actors/replication_slot.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <thread>
#include <unordered_map>
#include <variant>

#include <boost/json.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "rt/actors/catalog_actor.hpp"
#include "rt/actors/change_frames.hpp"
#include "rt/actors/changes_messages.hpp"
#include "rt/actors/cluster_guard.hpp"
#include "rt/actors/cluster_messages.hpp"
#include "rt/actors/flush_tracker.hpp"
#include "rt/actors/forward_log.hpp"
#include "rt/actors/route_builder.hpp"
#include "rt/actors/unexpected.hpp"
#include "rt/actors/visibility_checker.hpp"
#include "rt/actors/visibility_gate.hpp"
#include "rt/protocol/encode.hpp"
#include "rt/protocol/events.hpp"
#include "rt/protocol/join_config.hpp"
#include "rt/replication/change_batch_codec.hpp"
#include "rt/replication/row_sequence.hpp"

namespace rt::actors {

namespace {

namespace wire = protocol::wire;
using clock_type = std::chrono::steady_clock;

// Delay before subscriptions the database could not check are tried again,
// and how long one check may take before it counts as unavailable.
constexpr std::chrono::seconds retry_delay{5};
constexpr std::chrono::seconds resolve_timeout{30};
// While a subscriber's queue is above half its bound, the stream waits for
// it (checking this often); one that stays there this long is closed as a
// slow consumer, so a stuck client cannot stall everybody.
constexpr std::chrono::milliseconds congestion_poll{10};
constexpr std::chrono::seconds congestion_limit{10};
// How often written frames are looked at, and how long a stop waits for them.
constexpr std::chrono::milliseconds flush_poll{10};
constexpr std::chrono::seconds stop_flush_limit{1};
// A visibility check may take this long to answer (its statements are
// bounded by visibility_statement_timeout; connecting by connect_timeout).
constexpr std::chrono::seconds check_timeout{30};
// A check the database could not answer is asked again after 0.5, 1, 2 and
// 4 s while its rows are held; then they are dropped with a system error.
constexpr std::chrono::milliseconds check_first_backoff{500};
constexpr int check_attempts = 5;

// A channel's subscription as it asked for it, and how far it got.
struct subscriber : changes_subscription {
  bool registered = false; // its routes are in the router
  bool resolving = false;  // the catalog is being asked
  bool told_live = false;  // it was last told "Subscribed to PostgreSQL"
  // Which subscription of the channel a catalog answer belongs to.
  std::uint64_t generation = 0;
  // Whose eyes row level security checks rows with, and that identity as
  // one text: subscribers with equal texts share their checks.
  db::client_identity who;
  std::string viewer;
};

// A subscriber's connection above half its bound, and since when.
struct congested_sink {
  std::shared_ptr<connection_sink> sink;
  clock_type::time_point since;
};

struct slot_state {
  replication_slot_options options;
  caf::actor catalog;
  std::unique_ptr<wal_reader> reader;
  replication::change_router router;
  std::unordered_map<std::uint64_t, subscriber> subscribers;
  bool streaming = false;
  bool stopping = false;
  bool retry_scheduled = false;
  // While the stream is down: what subscribers were told (new ones hear it too).
  std::string outage;
  // What the reader sent and was not handled yet, in stream order (bounded:
  // the reader stops at its pending-bytes limit until batches are handled).
  std::deque<std::variant<wal_batch, stream_event>> held;
  bool drain_scheduled = false;
  std::vector<congested_sink> congested;
  flush_tracker flushes;
  bool flush_check_scheduled = false;
  // Frames waiting for row level security, and the checkers asked in turn.
  std::optional<visibility_gate> gate;
  std::vector<caf::actor> checkers;
  std::size_t checker_turn = 0;
  // -- cluster --
  // This node streams the slot; the other nodes' slot actors get every batch.
  bool owner = false;
  // The reader found the slot streamed by another process.
  bool standing_by = false;
  // What the other nodes were sent and did not acknowledge yet.
  forward_log forwarded;
  // Where this node's frames stand: every transaction up to here left it.
  replication::lsn flushed = 0;
  // The last transaction end of this node's own stream handled since it
  // owns the slot: rows it delivered as another node's follower may not
  // have reached every node, so they are confirmed only once streamed again.
  replication::lsn streamed_through = 0;
  // Where this node's own stream started, and the last transaction end
  // handled from any stream.
  replication::lsn session_start = 0;
  replication::lsn last_commit = 0;
  // Batches from a node not known as a member yet: the node that admitted
  // this one forwards at once, and this node's membership may not have
  // admitted it back yet. Handled when it is; dropped after a while or
  // beyond the bound (a stranger's).
  struct early_batch {
    caf::node_id node;
    remote_changes batch;
    clock_type::time_point at;
  };
  std::deque<early_batch> early;
  std::size_t early_bytes = 0;
  // The owner that forwarded the last batch (acknowledgements go there),
  // and the number of the last batch of it handled.
  caf::actor source;
  std::uint64_t handled_seq = 0;
  // Rows delivered so far: one that comes a second time (from a new owner
  // resuming at the slot's confirmed position, or late from the old one) is
  // not delivered again.
  replication::row_sequence delivered;
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

// The reader watches the slot from the start; it streams from the first
// subscription on (or at once when configured so).
void start_streaming(slot_self self) {
  if (auto& reader = self->state.reader)
    reader->start_streaming();
}

void schedule_retry(slot_self self) {
  if (self->state.retry_scheduled)
    return;
  self->state.retry_scheduled = true;
  self->delayed_send(self, retry_delay, retry_atom::value);
}

tl::expected<std::vector<replication::change_route>, std::string>
routes_of(const subscriber& s, std::uint64_t id, const resolve_reply& reply) {
  std::vector<replication::change_route> routes;
  for (std::size_t i = 0; i < s.bindings.size(); ++i) {
    auto built = build_routes(id, s.role, s.bindings[i], reply.tables[i]);
    if (!built)
      return tl::unexpected(built.error());
    std::move(built->begin(), built->end(), std::back_inserter(routes));
  }
  return routes;
}

// The reader follows the tables some route still needs.
void rewatch(slot_self self) {
  auto& st = self->state;
  if (st.reader)
    st.reader->link()->watch(st.router.relids());
}

void on_resolved(slot_self self, std::uint64_t id, std::uint64_t generation,
                 const resolve_reply& reply) {
  auto& st = self->state;
  auto it = st.subscribers.find(id);
  if (it == st.subscribers.end() || it->second.registered || it->second.generation != generation)
    return; // the channel ended or subscribed anew meanwhile
  auto& s = it->second;
  s.resolving = false;
  if (reply.unavailable || (reply.error.empty() && reply.tables.size() != s.bindings.size())) {
    tell(s, wire::status_error, wire::changes_error_database_unavailable);
    schedule_retry(self);
    return;
  }
  auto routes = reply.error.empty() ? routes_of(s, id, reply) : tl::unexpected(reply.error);
  // Routes of an earlier subscription of this channel (another token) kept
  // delivering until now.
  st.router.remove_subscriber(id);
  if (!routes) {
    tell(s, wire::status_error, routes.error());
    st.subscribers.erase(it);
    rewatch(self);
    return;
  }
  for (auto& r : *routes)
    st.router.add(std::move(r));
  rewatch(self);
  s.registered = true;
  start_streaming(self);
  if (st.streaming)
    tell_live(s);
  else if (!st.outage.empty())
    tell(s, wire::status_error, st.outage);
}

void resolve(slot_self self, std::uint64_t id) {
  auto& s = self->state.subscribers.at(id);
  if (s.resolving || s.registered)
    return;
  s.resolving = true;
  resolve_request req{s.role, {}};
  for (const auto& b : s.bindings)
    req.specs.push_back(spec_of(b));
  auto generation = s.generation;
  self->request(self->state.catalog, resolve_timeout, std::move(req))
    .then([self, id, generation](resolve_reply& reply) { on_resolved(self, id, generation, reply); },
          [self, id, generation](caf::error&) {
            on_resolved(self, id, generation, resolve_reply{true, {}, {}});
          });
}

// The role and claims a subscriber's rows are checked with; `sub` as
// channel_authorization sets it (a string claim, or none).
db::client_identity identity_of(const changes_subscription& sub) {
  db::client_identity who{sub.role, sub.claims_json, std::nullopt};
  boost::system::error_code ec;
  auto claims = boost::json::parse(sub.claims_json, ec);
  if (ec || !claims.is_object())
    who.claims_json = "{}";
  else if (const auto* s = claims.get_object().if_contains("sub"); s != nullptr && s->is_string())
    who.sub = std::string{s->get_string()};
  return who;
}

// A channel subscribes once after its join, and again with each new token
// (its role may have changed): the new subscription is checked with the new
// role while the old routes keep delivering.
void subscribe(slot_self self, changes_subscription& sub) {
  auto& st = self->state;
  if (st.stopping)
    return;
  auto id = sub.channel.id();
  subscriber entry;
  if (auto old = st.subscribers.find(id); old != st.subscribers.end()) {
    entry.generation = old->second.generation + 1;
  } else {
    self->monitor(sub.channel);
  }
  static_cast<changes_subscription&>(entry) = std::move(sub);
  entry.who = identity_of(entry);
  entry.viewer = entry.role + '\0' + entry.claims_json;
  st.subscribers[id] = std::move(entry);
  resolve(self, id);
}

void retry_unregistered(slot_self self) {
  self->state.retry_scheduled = false;
  std::vector<std::uint64_t> waiting;
  for (auto& [id, s] : self->state.subscribers)
    if (!s.registered && !s.resolving)
      waiting.push_back(id);
  for (auto id : waiting)
    resolve(self, id);
}

// -- delivering ---------------------------------------------------------------------

void note_congestion(slot_self self, const std::shared_ptr<connection_sink>& sink,
                     std::size_t queued) {
  auto& st = self->state;
  if (queued <= sink->max_queued_bytes() / 2)
    return;
  auto known = std::find_if(st.congested.begin(), st.congested.end(),
                            [&](const congested_sink& c) { return c.sink == sink; });
  if (known == st.congested.end())
    st.congested.push_back({sink, clock_type::now()});
}

void send_frame(slot_self self, const subscriber& s, const protocol::shared_frame& frame) {
  auto& st = self->state;
  auto sent = s.sink->send_tracked(frame);
  if (!sent.accepted)
    return;
  st.options.metrics->deliveries.fetch_add(1, std::memory_order_relaxed);
  st.flushes.wrote(s.sink, sent.mark);
  note_congestion(self, s.sink, sent.queued_bytes);
}

// A subscriber's frame goes out at once unless it needs a row level
// security check or an earlier frame of it waits for one.
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
  change_frames frames{c, *tuples, st.options.reader.max_record_bytes};
  std::optional<replication::row_key> key;
  st.gate->next_change();
  for (const auto& m : matches) {
    auto it = st.subscribers.find(m.subscriber);
    if (it == st.subscribers.end())
      continue;
    const auto& s = it->second;
    auto frame = frames.frame(s.topic, s.version, m);
    if (m.check_visibility) {
      if (!key)
        key = replication::key_of(c, *tuples);
      st.gate->hold_checked(m.subscriber, s.viewer, s.who, c.relation->relation.relid, *key,
                            std::move(frame));
    } else if (st.gate->holds(m.subscriber)) {
      st.gate->hold(m.subscriber, std::move(frame));
    } else {
      send_frame(self, s, frame);
    }
  }
}

// -- row level security ----------------------------------------------------------

void ask_check(slot_self self, std::uint64_t id, int attempt);
void confirm_flushed(slot_self self);

// Releases what check `id` decided: visible rows go out in order, a failed
// check drops its rows for its identity's subscribers and tells them why.
void settle_check(slot_self self, std::uint64_t id, const std::optional<std::vector<bool>>& visible,
                  const std::string& why) {
  auto& st = self->state;
  st.gate->answer(
    id, visible, why,
    [self](std::uint64_t sub, const protocol::shared_frame& frame) {
      if (auto it = self->state.subscribers.find(sub); it != self->state.subscribers.end())
        send_frame(self, it->second, frame);
    },
    [self](std::uint64_t sub, const std::string& message) {
      if (auto it = self->state.subscribers.find(sub); it != self->state.subscribers.end())
        tell(it->second, wire::status_error, message);
    });
  if (!st.flush_check_scheduled)
    confirm_flushed(self);
}

void on_checked(slot_self self, std::uint64_t id, int attempt, visibility_answer& a) {
  switch (a.outcome) {
    case visibility_outcome::answered:
      settle_check(self, id, a.visible, {});
      return;
    case visibility_outcome::failed:
      settle_check(self, id, std::nullopt,
                   std::string{wire::changes_error_row_check_failed} + a.error);
      return;
    case visibility_outcome::unavailable:
      if (attempt + 1 < check_attempts && !self->state.stopping) {
        self->delayed_send(self, check_first_backoff * (1 << attempt), recheck_atom::value, id,
                           attempt + 1);
        return;
      }
      settle_check(self, id, std::nullopt, std::string{wire::changes_error_row_check_unavailable});
      return;
  }
}

void ask_check(slot_self self, std::uint64_t id, int attempt) {
  auto& st = self->state;
  auto q = st.gate->query_of(id);
  if (!q || st.checkers.empty()) {
    // Nobody waits for it any more, or there is nobody to ask.
    settle_check(self, id, std::nullopt, std::string{wire::changes_error_row_check_unavailable});
    return;
  }
  const auto& checker = st.checkers[st.checker_turn++ % st.checkers.size()];
  self->request(checker, check_timeout, visibility_query{std::move(q->who), std::move(q->rows)})
    .then([self, id, attempt](visibility_answer& a) { on_checked(self, id, attempt, a); },
          [self, id, attempt](caf::error&) {
            visibility_answer a;
            on_checked(self, id, attempt, a);
          });
}

void ask_checks(slot_self self) {
  for (auto id : self->state.gate->take_queries())
    ask_check(self, id, 0);
}

// True while some subscriber's queue is still above a quarter of its bound
// after passing half of it. One stuck there past the limit is closed as a
// slow consumer instead.
bool congested(slot_self self) {
  auto& st = self->state;
  auto now = clock_type::now();
  std::erase_if(st.congested, [now](const congested_sink& c) {
    if (c.sink->queued_bytes() <= c.sink->max_queued_bytes() / 4)
      return true;
    if (now - c.since < congestion_limit)
      return false;
    spdlog::warn("replication: closing a subscriber that read nothing for {} s",
                 congestion_limit.count());
    c.sink->close(wire::close_policy, std::string{wire::reason_slow_consumer});
    return true;
  });
  return !st.congested.empty();
}

// Lets the reader confirm every transaction whose frames all left the
// process (and, owning the slot, every other node's); tells the owner that
// forwarded them when they are another node's.
void confirm_flushed(slot_self self) {
  auto& st = self->state;
  st.flush_check_scheduled = false;
  if (auto position = st.flushes.advance()) {
    st.flushed = *position;
    if (st.source)
      self->send(st.source, changes_ack{*position, st.handled_seq});
  }
  if (st.owner && st.reader && st.flushed > 0)
    st.reader->link()->handled.store(
      std::min(st.streamed_through, st.forwarded.confirmable(st.flushed)));
  if (st.flushes.waiting() && !st.stopping) {
    st.flush_check_scheduled = true;
    self->delayed_send(self, flush_poll, confirm_atom::value);
  }
}

void on_ack(slot_self self, const changes_ack& ack) {
  self->state.forwarded.acknowledged(caf::actor_cast<caf::actor>(self->current_sender()),
                                     ack.position, ack.handled_seq);
  confirm_flushed(self);
}

void tell_all_live(slot_self self);
void on_remote_changes(slot_self self, remote_changes& r);

// The stream stopped reaching this node's subscribers, or reaches them again.
void stream_lost(slot_self self) {
  auto& st = self->state;
  st.streaming = false;
  st.outage = wire::changes_error_stream_lost;
  tell_all_error(self, st.outage);
  st.options.metrics->streaming.store(false);
}

void stream_live(slot_self self) {
  auto& st = self->state;
  st.streaming = true;
  st.outage.clear();
  tell_all_live(self);
  st.options.metrics->streaming.store(true);
}

// How long, and how much, batches from a node not admitted yet are kept.
constexpr std::chrono::seconds early_limit{10};

void drop_stale_early(slot_self self) {
  auto& st = self->state;
  auto now = clock_type::now();
  while (!st.early.empty()
         && (now - st.early.front().at > early_limit
             || st.early_bytes > st.options.reader.max_pending_bytes)) {
    st.early_bytes -= st.early.front().batch.batch.size();
    st.early.pop_front();
  }
}

void keep_early(slot_self self, remote_changes&& r) {
  auto& st = self->state;
  const auto& sender = self->current_sender();
  if (!sender || sender->node() != r.owner.node())
    return;
  st.early_bytes += r.batch.size();
  st.early.push_back({sender->node(), std::move(r), clock_type::now()});
  drop_stale_early(self);
}

// `peer` was admitted: what it sent before that is handled now, in order.
void handle_early(slot_self self, const caf::actor& peer) {
  auto& st = self->state;
  drop_stale_early(self);
  std::deque<slot_state::early_batch> rest;
  for (auto& e : st.early) {
    if (e.node == peer.node()) {
      st.early_bytes -= e.batch.batch.size();
      on_remote_changes(self, e.batch);
    } else {
      rest.push_back(std::move(e));
    }
  }
  st.early = std::move(rest);
}

// Another node's slot actor joined or left. One that comes back after a
// short disconnection gets again what it may have missed; one that missed
// more than can be kept hears of the gap.
void set_peer(slot_self self, const cluster_peer& p) {
  auto& st = self->state;
  auto now = forward_log::clock_type::now();
  st.forwarded.expire(now);
  if (!p.up) {
    st.forwarded.remove(p.peer, now);
    // Standing by with nobody left to forward changes: an outage.
    if (st.standing_by && st.streaming && st.forwarded.peers().empty())
      stream_lost(self);
    confirm_flushed(self);
    return;
  }
  auto rejoin = st.forwarded.add(p.peer, now);
  handle_early(self, p.peer);
  for (const auto& msg : rejoin.resend)
    self->send(p.peer, msg);
  if (rejoin.gap && st.owner) {
    spdlog::warn("replication: a node was disconnected too long to be sent the changes it "
                 "missed; its subscribers are told");
    self->send(p.peer, changes_gap_atom::value);
  }
  // Standing by alone meant an outage; with another node it is the stream.
  if (st.standing_by && !st.streaming)
    stream_live(self);
  confirm_flushed(self);
}

// Some changes never reached this node: its subscribers hear it, then that
// the stream runs again.
void on_gap(slot_self self) {
  tell_all_error(self, wire::changes_error_missed);
  if (self->state.streaming)
    tell_all_live(self);
}

// The owner sends each batch of its stream to every other node once (one
// encoding, one message shared by the sends), before delivering it here.
void forward(slot_self self, const wal_batch& batch) {
  auto& st = self->state;
  if (batch.forwarded_by || !st.forwarded.has_receivers())
    return;
  remote_changes r{caf::actor{self}, replication::encode_changes(batch.changes),
                   batch.committed.has_value(), batch.committed.value_or(0),
                   st.forwarded.next_seq(), st.session_start};
  auto bytes = r.batch.size();
  auto msg = caf::make_message(std::move(r));
  for (const auto& peer : st.forwarded.peers())
    self->send(peer, msg);
  st.forwarded.sent(msg, bytes, batch.committed);
}

void acknowledge(slot_self self, const wal_batch& batch) {
  auto& st = self->state;
  st.options.metrics->changes.fetch_add(batch.changes.size(), std::memory_order_relaxed);
  if (batch.forwarded_by) {
    if (st.source != batch.forwarded_by)
      st.handled_seq = 0; // another owner numbers its batches anew
    st.source = batch.forwarded_by;
    st.handled_seq = std::max(st.handled_seq, batch.seq);
  } else if (batch.committed) {
    st.streamed_through = *batch.committed;
  }
  if (batch.committed) {
    st.last_commit = std::max(st.last_commit, *batch.committed);
    st.gate->committed(*batch.committed);
    if (!st.flush_check_scheduled)
      confirm_flushed(self);
  }
  if (batch.forwarded_by) {
    // Handled: the owner may send more (flow), whatever was flushed yet.
    self->send(st.source, changes_ack{st.flushed, st.handled_seq});
    return;
  }
  const auto& link = st.reader->link();
  link->pending_bytes.fetch_sub(batch.bytes);
  if (link->paused.exchange(false))
    link->wake();
}

void tell_all_live(slot_self self) {
  for (auto& [id, s] : self->state.subscribers)
    if (s.registered)
      tell_live(s);
}

// A stream that starts after the last transaction end this node handled
// (its slot was confirmed further while this node was away from the node
// streaming it) leaves out what lies between: the subscribers hear of it.
void check_continuity(slot_self self, replication::lsn start) {
  auto& st = self->state;
  if (st.last_commit == 0 || start <= st.last_commit)
    return;
  spdlog::warn("replication: the stream resumes at {}, after {} (the last handled here): "
               "changes between were missed on this node",
               replication::format_lsn(start), replication::format_lsn(st.last_commit));
  on_gap(self);
}

void on_stream_event(slot_self self, const stream_event& ev) {
  auto& st = self->state;
  auto took_over = st.standing_by;
  st.owner = ev.what == stream_event::kind::up || ev.what == stream_event::kind::slot_recreated;
  st.standing_by = ev.what == stream_event::kind::standby;
  st.streamed_through = 0;
  st.forwarded.restart();
  if (st.owner) {
    st.session_start = ev.start;
    // Taking over from another node; after its own outage this node's
    // subscribers heard of it already.
    if (took_over)
      check_continuity(self, ev.start);
  }
  switch (ev.what) {
    case stream_event::kind::down:
      spdlog::warn("replication: stream down: {}", ev.message);
      stream_lost(self);
      break;
    case stream_event::kind::standby:
      // In a cluster another node streams and forwards the changes here.
      // Alone, nothing would arrive: the subscribers hear the outage.
      st.forwarded.peers().empty() ? stream_lost(self) : stream_live(self);
      break;
    case stream_event::kind::slot_recreated:
      tell_all_error(self, wire::changes_error_slot_recreated);
      // The other nodes' subscribers missed the same changes; positions
      // start over with the new slot.
      for (const auto& peer : st.forwarded.peers())
        self->send(peer, changes_gap_atom::value);
      st.delivered = {};
      [[fallthrough]];
    case stream_event::kind::up:
      stream_live(self);
      break;
  }
  st.options.metrics->owner.store(st.owner);
}

// Handles what the reader sent, in order, until a subscriber has to catch up.
void drain(slot_self self) {
  auto& st = self->state;
  st.drain_scheduled = false;
  while (!st.held.empty()) {
    if (auto* ev = std::get_if<stream_event>(&st.held.front())) {
      on_stream_event(self, *ev);
      st.held.pop_front();
      continue;
    }
    // A subscriber catching up, too much waiting for row level security, or
    // another node behind.
    if (congested(self) || st.gate->saturated() || (st.owner && st.forwarded.behind())) {
      st.drain_scheduled = true;
      self->delayed_send(self, congestion_poll, drain_atom::value);
      return;
    }
    auto& batch = std::get<wal_batch>(st.held.front());
    if (batch.forwarded_by && batch.forwarded_by != st.source)
      check_continuity(self, batch.session_start);
    forward(self, batch);
    for (const auto& c : batch.changes)
      if (st.delivered.accept(c.commit_lsn, c.position))
        deliver(self, c);
    ask_checks(self);
    acknowledge(self, batch);
    st.held.pop_front();
  }
}

// A batch another node streamed: handled in order with everything else.
void on_remote_changes(slot_self self, remote_changes& r) {
  auto& st = self->state;
  if (st.stopping)
    return;
  auto changes = replication::decode_changes(r.batch);
  if (!changes) {
    spdlog::error("replication: a malformed batch from another node was dropped");
    return;
  }
  wal_batch batch;
  batch.changes = std::move(*changes);
  if (r.has_committed)
    batch.committed = r.committed;
  batch.forwarded_by = r.owner;
  batch.seq = r.seq;
  batch.session_start = r.session_start;
  st.held.emplace_back(std::move(batch));
  if (!st.drain_scheduled)
    drain(self);
}

template <class Item>
void on_reader_item(slot_self self, Item& item) {
  auto& st = self->state;
  if (st.stopping || !st.reader)
    return;
  st.held.emplace_back(std::move(item));
  if (!st.drain_scheduled)
    drain(self);
}

// Stops the stream before the sockets close: waits (bounded) for the frames
// written so far to leave, then ends the reader, which confirms them.
// Blocking is fine: this actor runs on a thread of its own.
void stop_streaming(slot_self self) {
  auto& st = self->state;
  st.stopping = true;
  st.held.clear();
  // Frames still waiting for a check are not written, so their
  // transactions are not confirmed: the next start sends them again.
  st.gate->clear();
  auto deadline = clock_type::now() + stop_flush_limit;
  while (st.flushes.waiting() && clock_type::now() < deadline) {
    confirm_flushed(self);
    std::this_thread::sleep_for(flush_poll);
  }
  confirm_flushed(self);
  st.reader.reset();
}

caf::behavior slot_behavior(slot_self self, replication_slot_options options) {
  auto& st = self->state;
  st.options = std::move(options);
  st.forwarded = forward_log{st.options.reader.max_pending_bytes, st.options.rejoin_grace};
  st.catalog = spawn_catalog(self->system(), st.options.database);
  self->link_to(st.catalog);
  st.gate.emplace(visibility_gate::limits{},
                  [self](replication::lsn end) { self->state.flushes.committed(end); });
  for (std::size_t i = 0; i < st.options.visibility_checkers; ++i) {
    st.checkers.push_back(spawn_visibility_checker(self->system(), st.options.database));
    self->link_to(st.checkers.back());
  }
  self->set_default_handler(drop_unexpected);
  ignore_remote_exits(self);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    auto id = dm.source.id();
    st.router.remove_subscriber(id);
    st.subscribers.erase(id);
    st.gate->forget(id);
    rewatch(self);
    if (!st.flush_check_scheduled)
      confirm_flushed(self);
  });
  st.reader = std::make_unique<wal_reader>(st.options.database, st.options.reader,
                                           caf::actor{self}, st.options.metrics);
  if (st.options.start_eagerly)
    start_streaming(self);
  return {
    [self](changes_subscription& sub) { subscribe(self, sub); },
    [self](wal_batch& batch) { on_reader_item(self, batch); },
    [self](stream_event& ev) { on_reader_item(self, ev); },
    [self](remote_changes& r) {
      if (!r.owner)
        return;
      if (from_cluster(self, self->state.forwarded.peers()))
        on_remote_changes(self, r);
      else
        keep_early(self, std::move(r));
    },
    [self](const changes_ack& a) {
      if (from_cluster(self, self->state.forwarded.peers()))
        on_ack(self, a);
    },
    [self](const cluster_peer& p) { set_peer(self, p); },
    [self](changes_gap_atom) {
      if (from_cluster(self, self->state.forwarded.peers()))
        on_gap(self);
    },
    [self](drain_atom) { drain(self); },
    [self](confirm_atom) { confirm_flushed(self); },
    [self](retry_atom) { retry_unregistered(self); },
    [self](recheck_atom, std::uint64_t id, int attempt) { ask_check(self, id, attempt); },
    [self](stop_streaming_atom) {
      stop_streaming(self);
      return true;
    },
  };
}

} // namespace

caf::actor spawn_replication_slot(caf::actor_system& sys, replication_slot_options options) {
  // Detached: ending the reader joins its thread, which may wait on libpq.
  return sys.spawn<caf::detached>(slot_behavior, std::move(options));
}

} // namespace rt::actors
