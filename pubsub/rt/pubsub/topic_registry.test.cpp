#include "rt/pubsub/topic_registry.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

using rt::pubsub::subscriber_id;
using rt::pubsub::topic_registry;

namespace {

struct entry {
  subscriber_id id = 0;
  int tag = 0;
};

using registry = topic_registry<entry>;

/// Ids subscribed to `topic`, sorted; empty when the topic is unknown.
std::vector<subscriber_id> ids_of(const registry& r, std::string_view topic) {
  std::vector<subscriber_id> out;
  if (auto* list = r.find(topic))
    for (auto& e : *list)
      out.push_back(e.id);
  std::sort(out.begin(), out.end());
  return out;
}

using ids = std::vector<subscriber_id>;

} // namespace

TEST(topic_registry, starts_empty) {
  registry r;
  EXPECT_EQ(r.find("t"), nullptr);
  EXPECT_EQ(r.topic_count(), 0u);
  EXPECT_EQ(r.subscriber_count(), 0u);
  EXPECT_EQ(r.topic_of(1), "");
}

TEST(topic_registry, lists_subscribers_of_a_topic_with_their_data) {
  registry r;
  EXPECT_TRUE(r.subscribe("realtime:a", {1, 10}));
  EXPECT_TRUE(r.subscribe("realtime:a", {2, 20}));
  EXPECT_TRUE(r.subscribe("realtime:b", {3, 30}));
  auto* a = r.find("realtime:a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ((*a)[0].tag + (*a)[1].tag, 30);
  EXPECT_EQ(ids_of(r, "realtime:b"), ids{3});
  EXPECT_EQ(r.topic_count(), 2u);
  EXPECT_EQ(r.subscriber_count(), 3u);
}

TEST(topic_registry, topics_are_exact_strings) {
  registry r;
  r.subscribe("realtime:a", {1});
  EXPECT_EQ(r.find("realtime:A"), nullptr);
  EXPECT_EQ(r.find("realtime:"), nullptr);
  EXPECT_EQ(r.find("realtime:a "), nullptr);
  std::string longer = "realtime:ab";
  EXPECT_EQ(ids_of(r, std::string_view{longer}.substr(0, 10)), ids{1});
}

TEST(topic_registry, refuses_an_id_already_subscribed_anywhere) {
  registry r;
  ASSERT_TRUE(r.subscribe("a", {1, 1}));
  EXPECT_FALSE(r.subscribe("a", {1, 2}));
  EXPECT_FALSE(r.subscribe("b", {1, 3}));
  EXPECT_EQ(r.find("b"), nullptr);
  EXPECT_EQ(r.topic_count(), 1u);
  EXPECT_EQ(r.subscriber_count(), 1u);
  ASSERT_EQ(r.find("a")->size(), 1u);
  EXPECT_EQ(r.find("a")->front().tag, 1);
}

TEST(topic_registry, knows_the_topic_of_each_subscriber) {
  registry r;
  r.subscribe("a", {1});
  r.subscribe("b", {2});
  EXPECT_EQ(r.topic_of(1), "a");
  EXPECT_EQ(r.topic_of(2), "b");
  EXPECT_EQ(r.topic_of(3), "");
}

TEST(topic_registry, unsubscribe_removes_only_that_subscriber) {
  registry r;
  for (subscriber_id id : {1, 2, 3, 4})
    r.subscribe("a", {id});
  EXPECT_TRUE(r.unsubscribe(2));
  EXPECT_EQ(ids_of(r, "a"), (ids{1, 3, 4}));
  EXPECT_EQ(r.topic_of(2), "");
  EXPECT_EQ(r.subscriber_count(), 3u);
}

TEST(topic_registry, unsubscribe_of_unknown_id_changes_nothing) {
  registry r;
  r.subscribe("a", {1});
  EXPECT_FALSE(r.unsubscribe(9));
  EXPECT_TRUE(r.unsubscribe(1));
  EXPECT_FALSE(r.unsubscribe(1));
  EXPECT_EQ(r.subscriber_count(), 0u);
}

TEST(topic_registry, last_unsubscribe_erases_the_topic) {
  registry r;
  r.subscribe("a", {1});
  r.subscribe("a", {2});
  r.subscribe("b", {3});
  r.unsubscribe(1);
  EXPECT_EQ(r.topic_count(), 2u);
  r.unsubscribe(2);
  EXPECT_EQ(r.find("a"), nullptr);
  EXPECT_EQ(r.topic_count(), 1u);
  EXPECT_EQ(ids_of(r, "b"), ids{3});
}

TEST(topic_registry, moved_entries_can_still_be_unsubscribed) {
  // Removing from the middle moves the last entry into the hole; that entry
  // must stay addressable by id.
  registry r;
  for (subscriber_id id : {1, 2, 3})
    r.subscribe("a", {id, static_cast<int>(id) * 10});
  ASSERT_TRUE(r.unsubscribe(1));
  ASSERT_TRUE(r.unsubscribe(3));
  ASSERT_EQ(r.find("a")->size(), 1u);
  EXPECT_EQ(r.find("a")->front().id, 2u);
  EXPECT_EQ(r.find("a")->front().tag, 20);
  EXPECT_TRUE(r.unsubscribe(2));
  EXPECT_EQ(r.topic_count(), 0u);
}

TEST(topic_registry, id_may_subscribe_again_after_unsubscribing) {
  registry r;
  r.subscribe("a", {1});
  r.unsubscribe(1);
  EXPECT_TRUE(r.subscribe("b", {1}));
  EXPECT_EQ(r.topic_of(1), "b");
}

TEST(topic_registry, stays_consistent_with_a_simple_model_under_random_churn) {
  registry r;
  std::map<subscriber_id, std::string> model;
  std::mt19937 rng{12345};
  std::uniform_int_distribution<subscriber_id> pick_id{0, 63};
  std::uniform_int_distribution<int> pick_topic{0, 4};
  for (int step = 0; step < 5000; ++step) {
    auto id = pick_id(rng);
    if (rng() % 2 == 0) {
      auto topic = "t" + std::to_string(pick_topic(rng));
      bool fresh = model.count(id) == 0;
      ASSERT_EQ(r.subscribe(topic, {id}), fresh) << step;
      if (fresh)
        model[id] = topic;
    } else {
      ASSERT_EQ(r.unsubscribe(id), model.erase(id) == 1) << step;
    }
  }
  std::map<std::string, ids> expected;
  for (auto& [id, topic] : model)
    expected[topic].push_back(id);
  EXPECT_EQ(r.subscriber_count(), model.size());
  EXPECT_EQ(r.topic_count(), expected.size());
  for (auto& [topic, members] : expected)
    EXPECT_EQ(ids_of(r, topic), members) << topic;
  for (auto& [id, topic] : model)
    EXPECT_EQ(r.topic_of(id), topic) << id;
}

TEST(topic_registry, finds_a_subscribers_entry_after_others_moved) {
  registry r;
  r.subscribe("t", {1, 10});
  r.subscribe("t", {2, 20});
  r.subscribe("t", {3, 30});
  r.unsubscribe(1); // 3 moves into 1's place
  ASSERT_NE(r.entry(3), nullptr);
  EXPECT_EQ(r.entry(3)->tag, 30);
  r.entry(3)->tag = 31;
  EXPECT_EQ(r.entry(3)->tag, 31);
  EXPECT_EQ(r.entry(1), nullptr);
}
