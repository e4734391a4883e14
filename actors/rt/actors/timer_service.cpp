#include "rt/actors/timer_service.hpp"

#include <algorithm>
#include <queue>
#include <set>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_clock.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "rt/actors/messages.hpp"
#include "rt/actors/unexpected.hpp"

namespace rt::actors {

namespace {

using clock_type = caf::actor_clock::clock_type;
using tick_atom = caf::atom_constant<caf::atom("tick")>;

struct later_first {
  bool operator()(const start_timer_request& a, const start_timer_request& b) const {
    return a.due > b.due;
  }
};

struct timer_state {
  std::priority_queue<start_timer_request, std::vector<start_timer_request>, later_first> heap;
  std::set<clock_type::rep> ticks; // due times of the clock entries in flight
  static inline const char* name = "rt.timers";
};

using timer_self = caf::stateful_actor<timer_state>*;

void arm(timer_self self, clock_type::time_point due) {
  auto& st = self->state;
  if (!st.ticks.empty() && *st.ticks.begin() <= due.time_since_epoch().count())
    return; // an earlier tick is already on its way
  st.ticks.insert(due.time_since_epoch().count());
  auto delay = std::max(due - self->clock().now(), clock_type::duration::zero());
  self->delayed_send(self, delay, tick_atom::value, due.time_since_epoch().count());
}

// Fires every timer due by `tick` (the clock delivered the tick for that
// time, so it has come even if the clock reads a hair earlier).
void fire_due(timer_self self, clock_type::time_point tick) {
  auto& heap = self->state.heap;
  auto now = std::max(self->clock().now(), tick);
  while (!heap.empty() && heap.top().due <= now) {
    const auto& next = heap.top();
    if (auto target = caf::actor_cast<caf::actor>(next.target))
      caf::anon_send(target, timer_atom::value, next.id);
    heap.pop();
  }
  if (!heap.empty())
    arm(self, heap.top().due);
}

caf::behavior timer_behavior(timer_self self) {
  self->set_default_handler(drop_unexpected);
  return {
    [self](start_timer_request& request) {
      auto due = request.due;
      self->state.heap.push(std::move(request));
      arm(self, due);
    },
    [self](tick_atom, clock_type::rep due) {
      self->state.ticks.erase(due);
      fire_due(self, clock_type::time_point{clock_type::duration{due}});
    },
  };
}

} // namespace

caf::actor spawn_timer_service(caf::actor_system& sys) {
  return sys.spawn(timer_behavior);
}

} // namespace rt::actors
