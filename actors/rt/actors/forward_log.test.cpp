#define CAF_SUITE forward_log

#include "rt/actors/forward_log.hpp"

#include <caf/test/dsl.hpp>

using namespace std::chrono_literals;
using rt::actors::forward_log;

namespace {

caf::behavior idle(caf::event_based_actor*) {
  return {[](int) {}};
}

struct fixture : test_coordinator_fixture<> {
  caf::actor b = sys.spawn(idle);
  caf::actor c = sys.spawn(idle);
  forward_log log{1000, 30s};
  forward_log::clock_type::time_point t0 = forward_log::clock_type::now();

  ~fixture() override {
    for (const auto& a : {b, c})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  // A batch of `bytes`, ending a transaction at `end` when set.
  caf::message send(int tag, std::size_t bytes, std::optional<std::uint64_t> end) {
    auto msg = caf::make_message(tag);
    log.sent(msg, bytes, end);
    return msg;
  }

  static std::vector<int> tags(const std::vector<caf::message>& msgs) {
    std::vector<int> out;
    for (const auto& m : msgs)
      out.push_back(m.get_as<int>(0));
    return out;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(forward_log_tests, fixture)

CAF_TEST(alone the slot confirms what left this node) {
  CAF_CHECK_EQUAL(log.confirmable(500), 500u);
  CAF_CHECK(!log.behind());
}

CAF_TEST(a transaction is confirmed once every connected node acknowledged it) {
  log.add(b, t0);
  log.add(c, t0);
  send(1, 10, 100);
  send(2, 10, 200);
  CAF_CHECK_EQUAL(log.confirmable(200), 0u);
  log.acknowledged(b, 200, 2);
  log.acknowledged(c, 100, 2);
  CAF_CHECK_EQUAL(log.confirmable(200), 100u);
  log.acknowledged(c, 200, 2);
  CAF_CHECK_EQUAL(log.confirmable(200), 200u);
  // a node that left holds nothing back
  send(3, 10, 300);
  log.remove(c, t0);
  log.acknowledged(b, 300, 3);
  CAF_CHECK_EQUAL(log.confirmable(300), 300u);
}

CAF_TEST(a node with more than the bound sent and not handled makes the stream wait) {
  log.add(b, t0);
  send(1, 600, std::nullopt);
  CAF_CHECK(!log.behind());
  send(2, 600, std::nullopt); // one big transaction, still open
  CAF_CHECK(log.behind());
  log.acknowledged(b, 0, 1); // handled the first batch: mid-transaction, no deadlock
  CAF_CHECK(!log.behind());
  CAF_CHECK_EQUAL(log.confirmable(50), 50u); // nothing ended yet
  send(3, 10, 100);
  CAF_CHECK_EQUAL(log.confirmable(100), 0u);
  log.acknowledged(b, 100, 3);
  CAF_CHECK(!log.behind());
  CAF_CHECK_EQUAL(log.confirmable(100), 100u);
}

CAF_TEST(a node that cannot be sent again what it missed hears of a gap) {
  log.add(b, t0);
  send(1, 600, std::nullopt);
  send(2, 600, 100); // 1,200 bytes unacknowledged: more than is kept
  log.acknowledged(b, 0, 2);
  log.remove(b, t0);
  auto back = log.add(b, t0 + 1s);
  CAF_CHECK(back.gap);
  CAF_CHECK(back.resend.empty());
}

CAF_TEST(what was not kept is forgotten once a later transaction end is acknowledged) {
  log.add(b, t0);
  send(1, 600, std::nullopt);
  send(2, 600, 100); // dropped from what is kept
  send(3, 10, 200);
  log.acknowledged(b, 200, 3);
  send(4, 10, 300);
  log.remove(b, t0);
  auto back = log.add(b, t0 + 1s);
  CAF_CHECK(!back.gap);
  CAF_CHECK_EQUAL(tags(back.resend), (std::vector<int>{4}));
}

CAF_TEST(a node back within the grace gets everything after its acknowledgement again) {
  log.add(b, t0);
  send(1, 10, 100);
  send(2, 10, std::nullopt);
  log.acknowledged(b, 100, 2);
  log.remove(b, t0);
  send(3, 10, 200); // forwarded while b was away
  auto back = log.add(b, t0 + 5s);
  CAF_CHECK(!back.gap);
  CAF_CHECK_EQUAL(tags(back.resend), (std::vector<int>{2, 3}));
  CAF_CHECK_EQUAL(log.confirmable(200), 100u);
}

CAF_TEST(a node back after the grace hears of a gap) {
  log.add(b, t0);
  log.remove(b, t0);
  send(1, 10, 100);
  log.expire(t0 + 31s);
  auto late = log.add(b, t0 + 31s);
  CAF_CHECK(late.gap);
  CAF_CHECK(late.resend.empty());
}

CAF_TEST(a node that missed more than the bound hears of a gap) {
  log.add(c, t0);
  log.remove(c, t0);
  send(1, 600, 100);
  send(2, 600, 200); // 1,200 bytes kept for c: over the bound of 1,000
  auto overflowed = log.add(c, t0 + 1s);
  CAF_CHECK(overflowed.gap);
  CAF_CHECK(overflowed.resend.empty());
}

CAF_TEST(a node away when a new session starts gets what the new session forwarded) {
  log.add(b, t0);
  log.add(c, t0);
  send(1, 10, 100);
  log.remove(b, t0);
  log.restart(); // this node took the slot over
  CAF_CHECK(log.has_receivers());
  send(2, 10, 200);
  auto back = log.add(b, t0 + 1s);
  CAF_CHECK(!back.gap);
  CAF_CHECK_EQUAL(tags(back.resend), (std::vector<int>{2}));
  CAF_CHECK_EQUAL(log.confirmable(200), 0u); // neither acknowledged the new session's batch
}

CAF_TEST(a node never seen before starts fresh) {
  send(1, 10, 100);
  auto fresh = log.add(b, t0);
  CAF_CHECK(!fresh.gap);
  CAF_CHECK(fresh.resend.empty());
  CAF_CHECK_EQUAL(log.confirmable(100), 100u);
}

CAF_TEST_FIXTURE_SCOPE_END()
