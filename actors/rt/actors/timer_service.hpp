#pragma once

// One endpoint-wide timer actor for the channels' timers.
//
// Every CAF delayed message is an entry in the actor clock, and each new entry
// wakes the clock's thread. Channels start a timer on every join (token
// expiry), so a join storm would pay a clock wake-up per join. The timer
// service keeps the channels' timers in one heap and holds a single clock
// entry for the earliest of them: a new timer that is not the earliest costs
// one local message and no wake-up.

#include <chrono>
#include <cstdint>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/actor_clock.hpp>
#include <caf/actor_system.hpp>

namespace rt::actors {

/// Asks the timer service to send `timer_atom, id` to `target` at `due`.
/// A target that has ended by then is skipped.
struct start_timer_request {
  caf::actor_addr target;
  caf::actor_clock::time_point due; ///< on the actor system's clock
  std::uint64_t id = 0;
};

/// Spawns the endpoint's timer service.
caf::actor spawn_timer_service(caf::actor_system& sys);

} // namespace rt::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::start_timer_request)
