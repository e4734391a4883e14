#define CAF_SUITE timer_service

#include "rt/actors/timer_service.hpp"

#include <caf/test/dsl.hpp>

#include <memory>
#include <vector>

#include "rt/actors/messages.hpp"

using namespace std::chrono_literals;

namespace {

using fired_list = std::shared_ptr<std::vector<std::uint64_t>>;

caf::behavior recorder(caf::event_based_actor*, fired_list fired) {
  return {
    [fired](rt::actors::timer_atom, std::uint64_t id) { fired->push_back(id); },
  };
}

struct fixture : test_coordinator_fixture<> {
  caf::actor timers = rt::actors::spawn_timer_service(sys);
  fired_list fired = std::make_shared<std::vector<std::uint64_t>>();

  ~fixture() override {
    caf::anon_send_exit(timers, caf::exit_reason::user_shutdown);
    sched.run();
  }

  void start(const caf::actor& target, std::chrono::milliseconds delay, std::uint64_t id) {
    caf::anon_send(timers, rt::actors::start_timer_request{target.address(),
                                                            sched.clock().now() + delay, id});
    sched.run();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(timer_service_tests, fixture)

CAF_TEST(timers fire at their due time in due order whatever the start order) {
  auto target = sys.spawn(recorder, fired);
  start(target, 3s, 3);
  start(target, 1s, 1);
  start(target, 2s, 2);
  CAF_CHECK(fired->empty());
  sched.advance_time(999ms);
  sched.run();
  CAF_CHECK(fired->empty());
  sched.advance_time(1ms);
  sched.run();
  CAF_CHECK_EQUAL(*fired, (std::vector<std::uint64_t>{1}));
  sched.advance_time(2s);
  sched.run();
  CAF_CHECK_EQUAL(*fired, (std::vector<std::uint64_t>{1, 2, 3}));
  caf::anon_send_exit(target, caf::exit_reason::user_shutdown);
}

CAF_TEST(a later timer does not add a clock entry) {
  auto target = sys.spawn(recorder, fired);
  start(target, 1s, 1);
  auto entries = sched.clock().schedule().size();
  start(target, 5s, 2);
  start(target, 9s, 3);
  CAF_CHECK_EQUAL(sched.clock().schedule().size(), entries);
  start(target, 500ms, 4); // earlier: needs its own entry
  CAF_CHECK_EQUAL(sched.clock().schedule().size(), entries + 1);
  sched.advance_time(10s);
  sched.run();
  while (sched.clock().trigger_timeout())
    sched.run();
  CAF_CHECK_EQUAL(*fired, (std::vector<std::uint64_t>{4, 1, 2, 3}));
  caf::anon_send_exit(target, caf::exit_reason::user_shutdown);
}

CAF_TEST(a target that ended is skipped and the others still fire) {
  auto gone = sys.spawn(recorder, fired);
  auto alive = sys.spawn(recorder, fired);
  start(gone, 1s, 1);
  start(alive, 2s, 2);
  caf::anon_send_exit(gone, caf::exit_reason::user_shutdown);
  sched.run();
  gone = nullptr;
  sched.advance_time(2s);
  sched.run();
  while (sched.clock().trigger_timeout())
    sched.run();
  CAF_CHECK_EQUAL(*fired, (std::vector<std::uint64_t>{2}));
  caf::anon_send_exit(alive, caf::exit_reason::user_shutdown);
}

CAF_TEST_FIXTURE_SCOPE_END()
