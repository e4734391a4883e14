#include "rt/db/interrupter.hpp"

#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "rt/db/database_fixture.test.hpp"
#include "rt/db/wal_stream.hpp"

using namespace rt::db;

namespace {

class Interrupter : public DatabaseTest {};

} // namespace

// Creating a logical slot waits until every transaction running in the
// cluster has ended; a stopping reader must not wait with it.
TEST_F(Interrupter, CancelsAStreamOpeningThatWaitsForARunningTransaction) {
  if (IsSkipped())
    return;
  sql("CREATE PUBLICATION interrupted_pub");
  sql("BEGIN");
  sql("SELECT txid_current()"); // holds a transaction id until ROLLBACK
  auto cfg = cfg_;
  cfg.slot_name = "interrupted_" + std::to_string(::getpid());
  cfg.publication = "interrupted_pub";
  interrupter stop;
  auto opening = std::async(std::launch::async, [&] { return wal_stream::open(cfg, nullptr, &stop); });
  EXPECT_EQ(opening.wait_for(std::chrono::seconds{2}), std::future_status::timeout)
    << "the slot was created although a transaction was running";
  stop.interrupt();
  auto status = opening.wait_for(std::chrono::seconds{5});
  // Ends the transaction either way, so that an opening that was not
  // interrupted finishes (and the test fails instead of hanging).
  sql("ROLLBACK");
  EXPECT_EQ(status, std::future_status::ready) << "the interrupt did not end the wait";
  EXPECT_FALSE(opening.get()) << "the stream opened although it was interrupted";
  auto slots = "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + cfg.slot_name + "'";
  EXPECT_EQ(scalar(slots), "0");
  sql("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" +
      cfg.slot_name + "'");
}

TEST(InterrupterAlone, ArmingAfterAnInterruptFails) {
  interrupter stop;
  stop.interrupt();
  EXPECT_FALSE(stop.arm(nullptr));
}
