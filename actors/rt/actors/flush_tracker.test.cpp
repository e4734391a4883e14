#define CAF_SUITE flush_tracker

#include "rt/actors/flush_tracker.hpp"

#include <caf/test/dsl.hpp>

#include <memory>
#include <optional>

namespace {

using rt::actors::flush_tracker;

// A connection whose writer has flushed `written` frames of `queued`.
struct counting_sink : rt::connection_sink {
  std::uint64_t queued = 0;
  std::uint64_t written = 0;
  bool closing = false;

  bool send(rt::protocol::shared_frame) override { return true; }
  receipt send_tracked(rt::protocol::shared_frame) override { return {true, ++queued, 0}; }
  bool flushed_through(std::uint64_t mark) const override { return closing || written >= mark; }
  std::size_t queued_bytes() const override { return 0; }
  std::size_t max_queued_bytes() const override { return 1u << 20; }
  void close(std::uint16_t, std::string) override {}
  void consumed() override {}

  std::uint64_t put() { return send_tracked(nullptr).mark; }
};

using lsn_opt = std::optional<rt::replication::lsn>;

} // namespace

CAF_TEST(a transaction that wrote nothing is confirmable at once) {
  flush_tracker t;
  t.committed(100);
  CAF_CHECK_EQUAL(t.advance(), lsn_opt{100});
  CAF_CHECK(!t.waiting());
  CAF_CHECK_EQUAL(t.advance(), lsn_opt{});
}

CAF_TEST(a transaction waits until every connection it wrote to flushed it) {
  flush_tracker t;
  auto a = std::make_shared<counting_sink>();
  auto b = std::make_shared<counting_sink>();
  t.wrote(a, a->put());
  t.wrote(b, b->put());
  t.wrote(a, a->put());
  t.committed(200);
  CAF_CHECK_EQUAL(t.advance(), lsn_opt{});
  a->written = 1; // one of its two frames
  b->written = 1;
  CAF_CHECK_EQUAL(t.advance(), lsn_opt{});
  a->written = 2;
  CAF_CHECK_EQUAL(t.advance(), lsn_opt{200});
  CAF_CHECK(!t.waiting());
}

CAF_TEST(a connection that keeps writing still lets older transactions through) {
  flush_tracker t;
  auto a = std::make_shared<counting_sink>();
  t.wrote(a, a->put());
  t.committed(10);
  t.wrote(a, a->put());
  t.committed(20);
  // More frames keep arriving, but the first transaction's frame is out.
  a->put();
  a->put();
  a->written = 1;
  CAF_CHECK_EQUAL(t.advance(), lsn_opt{10});
  a->written = 3;
  CAF_CHECK_EQUAL(t.advance(), lsn_opt{20});
}

CAF_TEST(order is kept: a later transaction waits for an earlier one) {
  flush_tracker t;
  auto slow = std::make_shared<counting_sink>();
  auto fast = std::make_shared<counting_sink>();
  t.wrote(slow, slow->put());
  t.committed(10);
  t.wrote(fast, fast->put());
  t.committed(20);
  fast->written = 1;
  CAF_CHECK_EQUAL(t.advance(), lsn_opt{});
  slow->written = 1;
  CAF_CHECK_EQUAL(t.advance(), lsn_opt{20});
}

CAF_TEST(a closing connection holds nothing back) {
  flush_tracker t;
  auto gone = std::make_shared<counting_sink>();
  t.wrote(gone, gone->put());
  t.committed(30);
  gone->closing = true;
  CAF_CHECK_EQUAL(t.advance(), lsn_opt{30});
}

CAF_TEST(waiting transactions are bounded: later ones merge into the last) {
  flush_tracker t;
  auto slow = std::make_shared<counting_sink>();
  std::uint64_t mark = 0;
  for (rt::replication::lsn end = 1; end <= 10 * flush_tracker::max_commits; ++end) {
    mark = slow->put();
    t.wrote(slow, mark);
    t.committed(end);
  }
  slow->written = flush_tracker::max_commits - 1;
  CAF_CHECK_EQUAL(t.advance(), lsn_opt{flush_tracker::max_commits - 1});
  CAF_CHECK(t.waiting());
  slow->written = mark - 1;
  CAF_CHECK_EQUAL(t.advance(), lsn_opt{});
  slow->written = mark;
  CAF_CHECK_EQUAL(t.advance(), lsn_opt{10 * flush_tracker::max_commits});
  CAF_CHECK(!t.waiting());
}
