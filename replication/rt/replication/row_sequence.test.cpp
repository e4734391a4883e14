#include "rt/replication/row_sequence.hpp"

#include <gtest/gtest.h>

namespace rt::replication {
namespace {

TEST(row_sequence, accepts_rows_in_stream_order) {
  row_sequence seq;
  EXPECT_TRUE(seq.accept(100, 0));
  EXPECT_TRUE(seq.accept(100, 1));
  EXPECT_TRUE(seq.accept(200, 0));
  EXPECT_TRUE(seq.accept(300, 5)); // rows before it went to no subscriber
}

TEST(row_sequence, a_new_owner_resuming_at_the_confirmed_position_repeats_nothing) {
  row_sequence seq;
  // from the old owner: transactions 100 and 200 whole, 300 up to row 1
  for (auto [lsn, pos] : {std::pair<lsn, std::uint32_t>{100, 0}, {200, 0}, {200, 1}, {300, 0}, {300, 1}})
    ASSERT_TRUE(seq.accept(lsn, pos));
  // the new owner starts after 100 (the slot's confirmed position)
  EXPECT_FALSE(seq.accept(200, 0));
  EXPECT_FALSE(seq.accept(200, 1));
  EXPECT_FALSE(seq.accept(300, 0));
  EXPECT_FALSE(seq.accept(300, 1));
  EXPECT_TRUE(seq.accept(300, 2));
  EXPECT_TRUE(seq.accept(400, 0));
}

TEST(row_sequence, late_rows_of_the_old_owner_after_the_new_one_are_dropped) {
  row_sequence seq;
  ASSERT_TRUE(seq.accept(100, 0));
  ASSERT_TRUE(seq.accept(200, 0)); // the new owner was first
  EXPECT_FALSE(seq.accept(200, 0)); // the old owner's copy, late
  EXPECT_FALSE(seq.accept(150, 3));
  EXPECT_TRUE(seq.accept(200, 1));
}

TEST(row_sequence, the_first_row_is_always_accepted) {
  row_sequence seq;
  EXPECT_TRUE(seq.accept(0, 0));
  EXPECT_FALSE(seq.accept(0, 0));
}

} // namespace
} // namespace rt::replication
