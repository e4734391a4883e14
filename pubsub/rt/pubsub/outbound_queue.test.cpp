#include "rt/pubsub/outbound_queue.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

using rt::protocol::make_frame;
using rt::protocol::opcode;
using rt::protocol::shared_frame;
using rt::protocol::wire_frame;
using rt::pubsub::outbound_queue;

namespace {

/// A text frame of exactly `wire_size` bytes on the wire (2-byte header).
shared_frame frame(std::size_t wire_size, char fill = 'x') {
  EXPECT_GE(wire_size, 2u);
  EXPECT_LT(wire_size, 128u);
  return std::make_shared<const wire_frame>(
    make_frame(opcode::text, std::string(wire_size - 2, fill)));
}

std::vector<shared_frame> take(outbound_queue& q, std::size_t max_frames,
                               std::size_t max_bytes) {
  std::vector<shared_frame> batch;
  q.take(batch, max_frames, max_bytes);
  return batch;
}

} // namespace

TEST(outbound_queue, counts_queued_wire_bytes) {
  outbound_queue q{100};
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(q.push(frame(10)));
  EXPECT_TRUE(q.push(frame(30)));
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.bytes(), 40u);
  EXPECT_FALSE(q.empty());
  EXPECT_EQ(q.max_bytes(), 100u);
}

TEST(outbound_queue, accepts_a_frame_that_fills_the_bound_exactly) {
  outbound_queue q{50};
  EXPECT_TRUE(q.push(frame(20)));
  EXPECT_TRUE(q.push(frame(30)));
  EXPECT_EQ(q.bytes(), 50u);
}

TEST(outbound_queue, refuses_a_frame_that_would_exceed_the_bound_and_keeps_the_rest) {
  outbound_queue q{50};
  ASSERT_TRUE(q.push(frame(20)));
  ASSERT_TRUE(q.push(frame(20)));
  EXPECT_FALSE(q.push(frame(11)));
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.bytes(), 40u);
  EXPECT_TRUE(q.push(frame(10)));
}

TEST(outbound_queue, accepts_an_oversized_frame_only_into_an_empty_queue) {
  outbound_queue q{10};
  EXPECT_TRUE(q.push(frame(60)));
  EXPECT_EQ(q.bytes(), 60u);
  EXPECT_FALSE(q.push(frame(2)));
  EXPECT_FALSE(q.push(frame(60)));
  EXPECT_EQ(q.size(), 1u);

  outbound_queue busy{10};
  ASSERT_TRUE(busy.push(frame(2)));
  EXPECT_FALSE(busy.push(frame(60)));
}

TEST(outbound_queue, take_returns_frames_in_order_without_copying) {
  outbound_queue q{1000};
  auto a = frame(10, 'a');
  auto b = frame(10, 'b');
  auto c = frame(10, 'c');
  q.push(a);
  q.push(b);
  q.push(c);
  auto batch = take(q, 10, 1000);
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[0], a);
  EXPECT_EQ(batch[1], b);
  EXPECT_EQ(batch[2], c);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(outbound_queue, take_stops_at_max_frames) {
  outbound_queue q{1000};
  for (char c : {'a', 'b', 'c'})
    q.push(frame(10, c));
  auto batch = take(q, 2, 1000);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[1]->payload(), std::string(8, 'b'));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.bytes(), 10u);
}

TEST(outbound_queue, take_stops_before_exceeding_max_bytes) {
  outbound_queue q{1000};
  for (char c : {'a', 'b', 'c'})
    q.push(frame(10, c));
  auto batch = take(q, 10, 25);
  EXPECT_EQ(batch.size(), 2u);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(take(q, 10, 10).size(), 1u);
}

TEST(outbound_queue, take_always_yields_a_first_frame_bigger_than_max_bytes) {
  outbound_queue q{1000};
  q.push(frame(100));
  q.push(frame(5));
  auto batch = take(q, 10, 20);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0]->size(), 100u);
  EXPECT_EQ(q.bytes(), 5u);
}

TEST(outbound_queue, take_appends_to_the_batch) {
  outbound_queue q{1000};
  q.push(frame(10));
  std::vector<shared_frame> batch{frame(3)};
  q.take(batch, 10, 1000);
  EXPECT_EQ(batch.size(), 2u);
}

TEST(outbound_queue, take_from_empty_queue_yields_nothing) {
  outbound_queue q{10};
  EXPECT_TRUE(take(q, 10, 10).empty());
  EXPECT_TRUE(take(q, 0, 0).empty());
}

TEST(outbound_queue, taking_frees_room_for_new_frames) {
  outbound_queue q{30};
  q.push(frame(20));
  ASSERT_FALSE(q.push(frame(20)));
  take(q, 1, 100);
  EXPECT_TRUE(q.push(frame(20)));
}

TEST(outbound_queue, clear_drops_everything) {
  outbound_queue q{30};
  q.push(frame(20));
  q.push(frame(10));
  q.clear();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_TRUE(take(q, 10, 100).empty());
  EXPECT_TRUE(q.push(frame(30)));
}
