#include "rt/pubsub/fifo.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <random>

using rt::pubsub::fifo;

TEST(fifo_queue, keeps_order_across_compaction) {
  fifo<int> q;
  int next_in = 0;
  int next_out = 0;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 7; ++i)
      q.push_back(next_in++);
    for (int i = 0; i < 5; ++i) {
      ASSERT_EQ(q.front(), next_out++);
      q.pop_front();
    }
  }
  EXPECT_EQ(q.size(), static_cast<std::size_t>(next_in - next_out));
  while (!q.empty()) {
    ASSERT_EQ(q.front(), next_out++);
    q.pop_front();
  }
  EXPECT_EQ(next_out, next_in);
}

TEST(fifo_queue, matches_a_deque_under_random_operations) {
  fifo<std::unique_ptr<int>> q;
  std::deque<int> model;
  std::mt19937 rng{7};
  for (int step = 0; step < 20000; ++step) {
    if (rng() % 3 != 0 || model.empty()) {
      int v = static_cast<int>(rng());
      q.push_back(std::make_unique<int>(v));
      model.push_back(v);
    } else {
      ASSERT_EQ(*q.front(), model.front());
      q.pop_front();
      model.pop_front();
    }
    ASSERT_EQ(q.size(), model.size());
  }
}

TEST(fifo_queue, pop_releases_the_element_at_once) {
  auto shared = std::make_shared<int>(1);
  fifo<std::shared_ptr<int>> q;
  q.push_back(shared);
  q.push_back(shared);
  EXPECT_EQ(shared.use_count(), 3);
  q.pop_front();
  EXPECT_EQ(shared.use_count(), 2);
  q.clear();
  EXPECT_EQ(shared.use_count(), 1);
  EXPECT_TRUE(q.empty());
}

TEST(fifo_queue, a_drained_queue_reuses_small_storage_and_releases_large_storage) {
  fifo<int> q;
  q.push_back(1);
  q.pop_front();
  q.push_back(2);
  const int* small = &q.front();
  q.pop_front();
  q.push_back(3);
  EXPECT_EQ(&q.front(), small); // no new allocation for a trickle
  q.pop_front();
  for (int i = 0; i < 1000; ++i)
    q.push_back(i);
  while (!q.empty())
    q.pop_front();
  EXPECT_EQ(q.capacity(), 0u); // a past backlog does not stay resident
  q.push_back(4);
  EXPECT_EQ(q.front(), 4);
  EXPECT_EQ(q.size(), 1u);
}

TEST(fifo_queue, owns_no_storage_until_first_used) {
  fifo<int> q;
  EXPECT_EQ(q.capacity(), 0u);
}
