#pragma once

// The load shapes. Each adds its connections to the session's loop, runs
// its phases, and fills the session's result. All are bounded in connections,
// messages and seconds, and return by themselves.

#include <cstdint>
#include <vector>

#include "clock.hpp"
#include "session.hpp"

namespace bench {

/// N subscribers and P publishers on one topic; max mode (--msgs, --window)
/// or paced mode (--rate, --duration).
void run_fanout(session& s);

/// R topics of K members; one member per room publishes at --rate.
void run_rooms(session& s);

/// N sockets, one distinct topic each, joined as fast as the concurrency
/// allows; connects/s, joins/s and join latency.
void run_joinstorm(session& s);

/// N sockets subscribed and silent except for heartbeats; server RSS per
/// connection.
void run_idle(session& s);

/// N subscribers with a postgres_changes binding; counts the changes someone
/// else writes (rows/s, commit-to-client latency, drops and duplicates by id).
void run_changes(session& s);

/// N observers and M trackers on one topic, every channel with presence
/// enabled; the trackers keep changing their presence (paced: --rate
/// messages/s for --duration; max: --msgs with --window); tracks/s answered,
/// presence_diff deliveries/s, track-to-diff latency, drops.
void run_presence(session& s);

/// Publishing state shared by fanout and rooms.
struct publish_plan {
  std::vector<std::uint32_t> publishers;  ///< connection indexes, in publish order
  std::vector<std::uint64_t> receivers;   ///< expected deliveries per publish, per publisher
};

/// Publishes with a window of outstanding deliveries (max mode); fills
/// published, expected, received, elapsed and the CPU figures.
void publish_windowed(session& s, const publish_plan& plan, std::uint64_t msgs, double window);

/// Publishes `rate` messages/s in total, round-robin over the plan, for
/// `seconds`, then drains up to 5 s; fills the same figures.
void publish_paced(session& s, const publish_plan& plan, double rate, double seconds);

/// Start and end (µs) of a paced phase.
struct paced_span {
  std::int64_t start = 0;
  std::int64_t end = 0;
};

/// Runs a paced phase: calls `attempt(n)` for n = 0, 1, ... as each falls
/// due at `rate` per second, then `turn()` and one loop step, until `seconds`
/// passed or the session expired.
template <class Attempt, class Turn>
paced_span pace(session& s, double rate, double seconds, Attempt&& attempt, Turn&& turn) {
  paced_span span{now_us(), 0};
  auto stop = span.start + static_cast<std::int64_t>(seconds * 1e6);
  std::uint64_t attempts = 0;
  while (!s.expired() && now_us() < stop) {
    auto due = static_cast<std::uint64_t>(seconds_between(span.start, now_us()) * rate) + 1;
    for (; attempts < due; ++attempts)
      attempt(attempts);
    turn();
    s.step(1);
  }
  span.end = now_us();
  return span;
}

/// Fills min/max deliveries per receiving connection (ready subscribers).
void summarize_receivers(session& s);

} // namespace bench
