#define CAF_SUITE visibility_gate

#include "rt/actors/visibility_gate.hpp"

#include <caf/test/dsl.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

using rt::actors::visibility_gate;
using rt::protocol::shared_frame;

// A distinct frame per label, so that tests can tell which frame went where.
shared_frame frame_of(const std::string& label) {
  return std::make_shared<const rt::protocol::wire_frame>(
    rt::protocol::make_frame(rt::protocol::opcode::text, label));
}

std::string label_of(const shared_frame& f) {
  return std::string{f->payload()};
}

rt::replication::row_key key(std::string id) { return {{"id"}, {std::move(id)}}; }

const rt::db::client_identity alice{"authenticated", R"({"sub":"alice"})", "alice"};
const rt::db::client_identity bob{"authenticated", R"({"sub":"bob"})", "bob"};

struct fixture {
  std::vector<rt::replication::lsn> ends;
  std::vector<std::pair<std::uint64_t, std::string>> sent;
  std::vector<std::pair<std::uint64_t, std::string>> dropped;
  visibility_gate gate{visibility_gate::limits{2, 4, 1u << 20},
                       [this](rt::replication::lsn end) { ends.push_back(end); }};

  void answer(std::uint64_t id, std::optional<std::vector<bool>> visible, std::string why = {}) {
    gate.answer(
      id, visible, why,
      [this](std::uint64_t s, const shared_frame& f) { sent.emplace_back(s, label_of(f)); },
      [this](std::uint64_t s, const std::string& w) { dropped.emplace_back(s, w); });
  }

  void checked(std::uint64_t sub, const rt::db::client_identity& who, std::string id,
               std::uint32_t relid = 7) {
    gate.hold_checked(sub, who.claims_json, who, relid, key(id), frame_of(id + "@" + std::to_string(sub)));
  }
};

using sent_list = std::vector<std::pair<std::uint64_t, std::string>>;

} // namespace

CAF_TEST_FIXTURE_SCOPE(visibility_gate_tests, fixture)

CAF_TEST(nothing held passes transaction ends on at once) {
  CAF_CHECK(!gate.holds(1));
  gate.committed(10);
  CAF_CHECK_EQUAL(ends, std::vector<rt::replication::lsn>{10});
  CAF_CHECK(gate.take_queries().empty());
}

CAF_TEST(one query per identity and table; equal identities share the row of a change) {
  gate.next_change();
  checked(1, alice, "1");
  checked(2, alice, "1");
  checked(3, bob, "1");
  gate.next_change();
  checked(1, alice, "2");
  gate.next_change();
  checked(1, alice, "3", 8);
  auto ids = gate.take_queries();
  CAF_REQUIRE_EQUAL(ids.size(), 3u);
  std::vector<std::size_t> rows;
  for (auto id : ids)
    rows.push_back(gate.query_of(id)->rows.rows.size());
  std::sort(rows.begin(), rows.end());
  CAF_CHECK_EQUAL(rows, (std::vector<std::size_t>{1, 1, 2}));
  CAF_CHECK_EQUAL(gate.asked(), 3u);
}

CAF_TEST(a full check is asked as it is and a new one begun) {
  for (int i = 0; i < 5; ++i) {
    gate.next_change();
    checked(1, alice, std::to_string(i));
  }
  auto ids = gate.take_queries();
  CAF_REQUIRE_EQUAL(ids.size(), 3u); // 2 + 2 + 1 rows
  CAF_CHECK(gate.saturated() == false);
}

CAF_TEST(later frames of a subscriber wait behind a check; others do not) {
  gate.next_change();
  checked(1, alice, "1");
  gate.next_change();
  CAF_CHECK(gate.holds(1));
  CAF_CHECK(!gate.holds(2));
  gate.hold(1, frame_of("plain@1"));
  gate.committed(10);
  CAF_CHECK(ends.empty());
  auto ids = gate.take_queries();
  CAF_REQUIRE_EQUAL(ids.size(), 1u);
  answer(ids[0], std::vector<bool>{false});
  CAF_CHECK_EQUAL(sent, (sent_list{{1, "plain@1"}}));
  CAF_CHECK_EQUAL(ends, std::vector<rt::replication::lsn>{10});
  CAF_CHECK(!gate.holds(1));
  CAF_CHECK_EQUAL(gate.held_bytes(), 0u);
}

CAF_TEST(transaction ends go on in order once their frames left) {
  gate.next_change();
  checked(1, alice, "1");
  gate.committed(10);
  auto first = gate.take_queries();
  gate.next_change();
  checked(2, bob, "2");
  gate.committed(20);
  gate.committed(30); // nothing held, but waits behind 20
  gate.committed(40); // merged into 30's wait
  auto second = gate.take_queries();
  answer(second[0], std::vector<bool>{true});
  CAF_CHECK(ends.empty()); // 10 still waits
  answer(first[0], std::vector<bool>{true});
  CAF_CHECK_EQUAL(ends, (std::vector<rt::replication::lsn>{10, 20, 40}));
  CAF_CHECK_EQUAL(sent, (sent_list{{2, "2@2"}, {1, "1@1"}}));
}

CAF_TEST(a failed check drops its rows and tells each subscriber once) {
  gate.next_change();
  checked(1, alice, "1");
  checked(2, alice, "1");
  gate.next_change();
  checked(1, alice, "2");
  gate.hold(2, frame_of("plain@2"));
  gate.next_change();
  checked(3, bob, "3");
  auto ids = gate.take_queries();
  for (auto id : ids) {
    if (gate.query_of(id)->who.sub == "alice")
      answer(id, std::nullopt, "boom");
    else
      answer(id, std::vector<bool>{true});
  }
  std::sort(sent.begin(), sent.end());
  CAF_CHECK_EQUAL(sent, (sent_list{{2, "plain@2"}, {3, "3@3"}}));
  CAF_CHECK_EQUAL(dropped, (sent_list{{1, "boom"}, {2, "boom"}}));
}

CAF_TEST(a forgotten subscriber releases its transactions and an orphaned answer is ignored) {
  gate.next_change();
  checked(1, alice, "1");
  gate.committed(10);
  auto ids = gate.take_queries();
  gate.forget(1);
  CAF_CHECK_EQUAL(ends, std::vector<rt::replication::lsn>{10});
  CAF_CHECK(!gate.query_of(ids[0]));
  answer(ids[0], std::vector<bool>{true});
  CAF_CHECK(sent.empty());
  CAF_CHECK_EQUAL(gate.asked(), 0u);
}

CAF_TEST(too many checks asked saturate the gate) {
  for (int i = 0; i < 4; ++i) {
    gate.next_change();
    checked(1, alice, std::to_string(i), 100 + i);
  }
  auto ids = gate.take_queries();
  CAF_CHECK(gate.saturated());
  answer(ids[0], std::vector<bool>{true});
  CAF_CHECK(!gate.saturated());
}

CAF_TEST_FIXTURE_SCOPE_END()
