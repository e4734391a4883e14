// Presence: --subscribers observers and --trackers trackers join one topic,
// every channel with presence enabled and a key of its own. Observers never
// track; they count presence_diff pushes and time them. Trackers keep
// changing their presence:
//
//   --churn update   every message is a track whose meta is a fresh mark
//                    {"s":<seq>,"t":<µs>,"p":"x.."} (--size bytes): the first
//                    one joins, the next ones update. One diff per message,
//                    its joins carry the new meta, its leaves the old one.
//   --churn untrack  track and untrack alternate on each tracker: one diff
//                    per message, a track's with the meta in its joins, an
//                    untrack's with it in its leaves.
//
// Paced mode sends --rate messages/s in total, round-robin over the trackers,
// for --duration seconds (a tracker with --max-in-flight unanswered messages
// skips its turn: counted as refused), then waits up to 5 s for stragglers.
// Max mode sends --msgs messages as fast as the answers come back: each
// tracker has at most one message unanswered, and the observers at most
// --window diffs each outstanding; it stops once everything came back, or
// when nothing moved for 25 s.
//
// Every change is pushed to every channel of the topic, trackers included:
// observers are due one diff per message each, trackers too. Latency is
// track sent -> diff received by an observer (the mark's "t" in the joins);
// the answer latency is message sent -> its ok reply.

#include <algorithm>
#include <cmath>
#include <vector>

#include "scenarios.hpp"

namespace bench {

namespace {

constexpr double joined_settle_seconds = 1.0;
constexpr std::int64_t paced_drain_us = 5'000'000;
constexpr std::int64_t stall_limit_us = 25'000'000;

// The trackers, what they sent, and what is due back.
class churn {
public:
  churn(session& s, std::vector<std::uint32_t> trackers, std::uint64_t observers)
    : s_(s),
      loop_(s.loop()),
      trackers_(std::move(trackers)),
      ops_(trackers_.size(), 0),
      observers_(observers),
      base_(loop_.presence()) {}

  [[nodiscard]] std::size_t size() const noexcept { return trackers_.size(); }

  [[nodiscard]] connection& tracker(std::size_t slot) {
    return loop_.connections()[trackers_[slot]];
  }

  // Sends the next message of tracker `slot` (mark `seq`); false when the
  // tracker cannot take it (closed, backlog full).
  bool send(std::size_t slot, std::uint64_t seq) {
    bool track = s_.options().churn == churn_kind::update || ops_[slot] % 2 == 0;
    if (!loop_.presence_push(tracker(slot), track, seq, false))
      return false;
    ++ops_[slot];
    ++(track ? tracks_ : untracks_);
    expected_observer_ += observers_;
    expected_tracker_ += trackers_.size();
    return true;
  }

  void flush() {
    for (auto index : trackers_) {
      auto& c = loop_.connections()[index];
      if (!c.out.empty() && c.state != conn_state::closed)
        loop_.flush(c);
    }
  }

  [[nodiscard]] bool any_alive() {
    return std::any_of(trackers_.begin(), trackers_.end(), [&](auto index) {
      return loop_.connections()[index].state == conn_state::ready;
    });
  }

  [[nodiscard]] std::uint64_t sent() const noexcept { return tracks_ + untracks_; }
  [[nodiscard]] std::uint64_t observer_got() const noexcept {
    return loop_.presence().observer_diffs - base_.observer_diffs;
  }
  [[nodiscard]] std::uint64_t tracker_got() const noexcept {
    return loop_.presence().tracker_diffs - base_.tracker_diffs;
  }
  [[nodiscard]] std::uint64_t answered() const noexcept {
    const auto& p = loop_.presence();
    return (p.track_acks - base_.track_acks) + (p.untrack_acks - base_.untrack_acks) +
           (p.refusals - base_.refusals);
  }
  [[nodiscard]] std::uint64_t observer_outstanding() const noexcept {
    auto got = observer_got();
    return expected_observer_ > got ? expected_observer_ - got : 0;
  }

  // Every diff and every answer came back.
  [[nodiscard]] bool settled() const noexcept {
    return observer_got() >= expected_observer_ && tracker_got() >= expected_tracker_ &&
           answered() >= sent();
  }

  // The latest diff or answer, not before `floor`.
  [[nodiscard]] std::int64_t last_activity(std::int64_t floor) const noexcept {
    const auto& p = loop_.presence();
    return std::max({floor, p.last_diff_us, p.last_answer_us});
  }

  // Fills the result from the measured phase [start, publish_end] and its
  // last activity `end`.
  void settle(std::int64_t start, std::int64_t publish_end, std::int64_t end,
              std::uint64_t refused) {
    auto& r = s_.result();
    const auto& p = loop_.presence();
    auto observers = observer_got();
    auto trackers = tracker_got();
    s_.end_measure(end, observers + trackers);
    r.published = sent();
    r.publish_refused = refused;
    r.tracks_sent = tracks_;
    r.untracks_sent = untracks_;
    r.track_acks = p.track_acks - base_.track_acks;
    r.untrack_acks = p.untrack_acks - base_.untrack_acks;
    r.presence_refusals = p.refusals - base_.refusals;
    r.expected = expected_observer_;
    r.received = observers;
    r.drops = expected_observer_ > observers ? expected_observer_ - observers : 0;
    r.extra = observers > expected_observer_ ? observers - expected_observer_ : 0;
    r.tracker_expected = expected_tracker_;
    r.tracker_received = trackers;
    r.tracker_drops = expected_tracker_ > trackers ? expected_tracker_ - trackers : 0;
    r.presence_samples = p.samples - base_.samples;
    r.presence_states = p.states;
    if (r.elapsed_s > 0) {
      r.deliveries_per_s = static_cast<double>(observers) / r.elapsed_s;
      r.all_deliveries_per_s = static_cast<double>(observers + trackers) / r.elapsed_s;
    }
    auto publish_s = seconds_between(start, publish_end);
    r.offered_publish_rate = publish_s > 0 ? static_cast<double>(sent()) / publish_s : 0;
    auto answer_s = seconds_between(start, p.last_answer_us);
    if (answer_s > 0 && p.last_answer_us > start) {
      r.track_acks_per_s = static_cast<double>(r.track_acks) / answer_s;
      r.presence_acks_per_s = static_cast<double>(r.track_acks + r.untrack_acks) / answer_s;
    }
  }

private:
  session& s_;
  client_loop& loop_;
  std::vector<std::uint32_t> trackers_;
  std::vector<std::uint64_t> ops_; // messages sent per tracker (parity: track / untrack)
  std::uint64_t observers_;
  presence_counters base_;
  std::uint64_t tracks_ = 0;
  std::uint64_t untracks_ = 0;
  std::uint64_t expected_observer_ = 0;
  std::uint64_t expected_tracker_ = 0;
};

void run_paced(session& s, churn& ch, double rate, double seconds) {
  auto max_in_flight = static_cast<std::uint32_t>(s.options().max_in_flight);
  std::uint64_t refused = 0;
  s.begin_measure();
  auto span = pace(
    s, rate, seconds,
    [&](std::uint64_t attempt) {
      auto slot = attempt % ch.size();
      if (ch.tracker(slot).in_flight >= max_in_flight || !ch.send(slot, attempt))
        ++refused;
    },
    [&] { ch.flush(); });
  while (!s.expired() && !ch.settled() && now_us() - span.end < paced_drain_us)
    s.step(1);
  ch.settle(span.start, span.end, ch.last_activity(span.end), refused);
}

void run_max(session& s, churn& ch, std::uint64_t msgs, double window, std::uint64_t observers) {
  auto allowed = static_cast<std::uint64_t>(std::ceil(window * static_cast<double>(observers)));
  std::uint64_t seq = 0;
  std::uint64_t refused = 0;
  std::size_t next = 0;
  s.begin_measure();
  auto start = now_us();
  std::int64_t publish_end = 0;
  while (!s.expired()) {
    for (std::size_t k = 0; k < ch.size() && seq < msgs; ++k) {
      auto slot = next;
      next = (next + 1) % ch.size();
      auto& c = ch.tracker(slot);
      if (c.state != conn_state::ready || c.in_flight > 0)
        continue;
      if (ch.observer_outstanding() > allowed)
        break;
      if (!ch.send(slot, seq)) {
        ++refused;
        continue;
      }
      ++seq;
    }
    ch.flush();
    if (seq >= msgs && publish_end == 0)
      publish_end = now_us();
    if (seq >= msgs && ch.settled())
      break;
    if (now_us() - ch.last_activity(start) > stall_limit_us || !ch.any_alive())
      break;
    s.step(1);
  }
  if (publish_end == 0)
    publish_end = now_us();
  ch.settle(start, publish_end, ch.last_activity(start), refused);
}

} // namespace

void run_presence(session& s) {
  const auto& o = s.options();
  auto& loop = s.loop();
  auto& r = s.result();
  r.mode = o.msgs > 0 ? "max" : "paced";
  auto topic = loop.add_topic(o.topic);
  auto observers = static_cast<std::uint32_t>(o.subscribers);
  auto trackers = static_cast<std::uint32_t>(o.trackers);
  loop.connections().reserve(observers + trackers);
  for (std::uint32_t i = 0; i < observers; ++i)
    loop.add(conn_role::subscriber, topic);
  for (std::uint32_t i = 0; i < trackers; ++i)
    loop.add(conn_role::publisher, topic);
  r.connections_planned = observers + trackers;
  r.server_rss_idle_kib = s.probe().rss_kib();
  auto connect_start = now_us();
  auto observers_ready = s.connect(0, observers, o.max_seconds);
  if (observers_ready == 0) {
    if (!s.expired())
      s.fail("no observer became ready");
    return;
  }
  r.publishers_ready = s.connect(observers, trackers, o.max_seconds);
  r.connections_ready = observers_ready + r.publishers_ready;
  r.connect_seconds = seconds_between(connect_start, now_us());
  if (r.publishers_ready == 0) {
    if (!s.expired())
      s.fail("no tracker became ready");
    return;
  }
  // Lets every presence_state arrive before the churn starts.
  s.wait(joined_settle_seconds);
  r.server_rss_joined_kib = s.probe().rss_kib();
  r.rss_per_conn_kib = static_cast<double>(r.server_rss_joined_kib - r.server_rss_idle_kib) /
                       static_cast<double>(r.connections_ready);
  std::vector<std::uint32_t> ready;
  std::uint64_t watching = 0;
  for (const auto& c : loop.connections()) {
    if (c.state != conn_state::ready)
      continue;
    if (c.role == conn_role::publisher)
      ready.push_back(c.index);
    else
      ++watching;
  }
  if (ready.empty() || watching == 0) {
    if (!s.expired())
      s.fail("observers or trackers were lost before the churn");
    return;
  }
  churn ch{s, std::move(ready), watching};
  if (o.msgs > 0)
    run_max(s, ch, static_cast<std::uint64_t>(o.msgs), o.window, watching);
  else
    run_paced(s, ch, o.rate, o.duration);
  summarize_receivers(s);
}

} // namespace bench
