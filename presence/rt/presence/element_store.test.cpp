#include "rt/presence/element_store.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rt::presence {
namespace {

const replica_ref local{"local", 1};
const replica_ref remote{"remote", 1};

element make(std::string topic, std::string key, owner_id owner, int n = 0) {
  return element{std::move(topic), std::move(key), owner, boost::json::object{{"n", n}}};
}

std::vector<std::string> keys_of(element_store::range r) {
  std::vector<std::string> out;
  for (auto it = r.begin(); it != r.end(); ++it)
    out.push_back(it->first.key + "/" + it->first.replica.node + "/"
                  + std::to_string(it->first.owner));
  return out;
}

TEST(element_store, a_topic_is_listed_grouped_by_key) {
  element_store s{local};
  s.insert(dot{local, 1}, make("t", "b", 1));
  s.insert(dot{remote, 1}, make("t", "a", 1));
  s.insert(dot{local, 2}, make("t", "a", 2));
  s.insert(dot{local, 3}, make("other", "a", 1));
  s.insert(dot{local, 4}, make("t", "b", 0));
  EXPECT_EQ(keys_of(s.topic("t")),
            (std::vector<std::string>{"a/local/2", "a/remote/1", "b/local/0", "b/local/1"}));
  EXPECT_EQ(keys_of(s.key("t", "b")), (std::vector<std::string>{"b/local/0", "b/local/1"}));
  EXPECT_TRUE(s.topic("none").empty());
  EXPECT_TRUE(s.topic("").empty());
}

TEST(element_store, a_dot_is_held_once) {
  element_store s{local};
  EXPECT_TRUE(s.insert(dot{local, 1}, make("t", "k", 1)));
  EXPECT_FALSE(s.insert(dot{local, 1}, make("t", "other", 2)));
  EXPECT_EQ(s.size(), 1u);
  EXPECT_TRUE(s.contains(dot{local, 1}));
  EXPECT_FALSE(s.contains(dot{remote, 1}));
}

TEST(element_store, erase_returns_the_element_and_unindexes_it) {
  element_store s{local};
  s.insert(dot{remote, 4}, make("t", "k", 9, 42));
  auto gone = s.erase(dot{remote, 4});
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->replica, remote);
  EXPECT_EQ(gone->owner, 9u);
  EXPECT_EQ(gone->topic, "t");
  EXPECT_EQ(gone->key, "k");
  EXPECT_EQ(gone->meta.at("n"), 42);
  EXPECT_FALSE(s.erase(dot{remote, 4}));
  EXPECT_EQ(s.of_replica(remote), nullptr);
  EXPECT_EQ(s.size(), 0u);
}

TEST(element_store, owned_finds_one_owners_presence_under_a_key) {
  element_store s{local};
  s.insert(dot{local, 1}, make("t", "k", 1));
  s.insert(dot{local, 2}, make("t", "k", 2));
  s.insert(dot{remote, 1}, make("t", "k", 1));
  auto mine = s.owned(local, 1, "t", "k");
  ASSERT_EQ(std::ranges::distance(mine), 1);
  EXPECT_EQ(dot_at(mine.begin()), (dot{local, 1}));
  EXPECT_TRUE(s.owned(local, 3, "t", "k").empty());
}

TEST(element_store, replicas_index_their_elements_by_clock) {
  element_store s{local};
  s.insert(dot{remote, 7}, make("t", "a", 1));
  s.insert(dot{remote, 2}, make("u", "b", 1));
  const auto* index = s.of_replica(remote);
  ASSERT_NE(index, nullptr);
  ASSERT_EQ(index->size(), 2u);
  EXPECT_EQ(index->begin()->first, 2u);
  EXPECT_EQ(index->begin()->second->first.topic, "u");
}

TEST(element_store, the_owner_index_covers_local_elements_only) {
  element_store s{local};
  s.insert(dot{local, 1}, make("t", "a", 5));
  s.insert(dot{local, 2}, make("u", "b", 5));
  s.insert(dot{remote, 1}, make("t", "a", 5));
  EXPECT_EQ(s.of_local_owner(5).size(), 2u);
  s.erase(dot{local, 1});
  auto left = s.of_local_owner(5);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]->first.topic, "u");
}

TEST(element_store, erase_replica_removes_all_of_its_elements) {
  element_store s{local};
  s.insert(dot{remote, 1}, make("t", "a", 1));
  s.insert(dot{remote, 2}, make("t", "b", 1));
  s.insert(dot{local, 1}, make("t", "c", 1));
  s.erase_replica(remote);
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(keys_of(s.topic("t")), (std::vector<std::string>{"c/local/1"}));
  s.erase_replica(local);
  EXPECT_EQ(s.size(), 0u);
  EXPECT_TRUE(s.of_local_owner(1).empty());
}

TEST(element_store, copies_and_views_of_an_element) {
  element_store s{local};
  s.insert(dot{local, 3}, make("t", "k", 8, 1));
  auto it = s.topic("t").begin();
  auto e = element_at(it);
  EXPECT_EQ(e, make("t", "k", 8, 1));
  auto v = view_at(it);
  EXPECT_EQ(v.key, "k");
  EXPECT_EQ(*v.replica, local);
  EXPECT_EQ(v.owner, 8u);
  EXPECT_EQ(v.meta->at("n"), 1);
  EXPECT_EQ(presence_at(it).topic, "t");
}

} // namespace
} // namespace rt::presence
