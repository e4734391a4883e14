#include "rt/presence/delta_generations.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rt/presence/replicated_state.hpp"

namespace rt::presence {
namespace {

const replica_ref r1{"r1", 1};
const replica_ref r2{"r2", 1};
const replica_ref r3{"r3", 1};

std::vector<std::string> keys_of(const delta& d) {
  std::vector<std::string> out;
  for (const auto& entry : d.values)
    out.push_back(entry.second.key);
  return out;
}

// Joins `key` on `s` and returns the delta of just that join.
delta join_delta(replicated_state& s, owner_id owner, const std::string& key) {
  EXPECT_TRUE(s.join(owner, "lobby", key, {}));
  return s.take_delta();
}

using keys = std::vector<std::string>;

TEST(delta_generations, windows_grow_until_their_caps) {
  replicated_state s{r1};
  delta_generations gens{{2, 5, 6}};
  auto d1 = join_delta(s, 1, "user1");
  gens.push(d1);
  ASSERT_EQ(gens.generations().size(), 3u);
  for (const auto& g : gens.generations())
    EXPECT_EQ(g, d1);
  gens.push(d1); // a duplicate changes nothing
  for (const auto& g : gens.generations())
    EXPECT_EQ(g, d1);

  gens.push(join_delta(s, 2, "user2"));
  EXPECT_EQ(keys_of(gens.generations()[0]), (keys{"user2"}));
  EXPECT_EQ(keys_of(gens.generations()[1]), (keys{"user1", "user2"}));
  EXPECT_EQ(keys_of(gens.generations()[2]), (keys{"user1", "user2"}));

  auto d3 = join_delta(s, 3, "user3");
  gens.push(d3);
  EXPECT_EQ(gens.generations()[0], d3);
  EXPECT_EQ(keys_of(gens.generations()[1]), (keys{"user2", "user3"}));
  EXPECT_EQ(keys_of(gens.generations()[2]), (keys{"user1", "user2", "user3"}));

  gens.push(join_delta(s, 4, "user4"));
  EXPECT_EQ(keys_of(gens.generations()[0]), (keys{"user4"}));
  EXPECT_EQ(keys_of(gens.generations()[1]), (keys{"user3", "user4"}));
  EXPECT_EQ(keys_of(gens.generations()[2]), (keys{"user2", "user3", "user4"}));
  EXPECT_EQ(gens.generations()[2].clouds, (dot_clouds{{r1, {2, 3, 4}}}));
}

TEST(delta_generations, remote_deltas_and_their_removals_are_merged_in) {
  replicated_state s{r1}, other{r2};
  delta_generations gens{{2, 5, 6}};
  for (int i = 1; i <= 4; ++i)
    gens.push(join_delta(s, static_cast<owner_id>(i), "user" + std::to_string(i)));

  gens.push(join_delta(other, 5, "user5"));
  EXPECT_EQ(keys_of(gens.generations()[0]), (keys{"user5"}));
  EXPECT_EQ(keys_of(gens.generations()[1]), (keys{"user4", "user5"}));
  EXPECT_EQ(keys_of(gens.generations()[2]), (keys{"user3", "user4", "user5"}));

  ASSERT_TRUE(other.leave(5, "lobby", "user5"));
  gens.push(other.take_delta());
  EXPECT_EQ(keys_of(gens.generations()[0]), keys{});
  EXPECT_EQ(keys_of(gens.generations()[1]), (keys{"user4"}));
  EXPECT_EQ(keys_of(gens.generations()[2]), (keys{"user3", "user4"}));
  EXPECT_EQ(gens.generations()[0].clouds, (dot_clouds{{r2, {1, 2}}}));
  EXPECT_EQ(gens.generations()[2].clouds, (dot_clouds{{r1, {3, 4}}, {r2, {1, 2}}}));
}

TEST(delta_generations, a_delta_after_a_gap_is_not_merged) {
  replicated_state other{r3};
  auto old = join_delta(other, 1, "user3");
  join_delta(other, 2, "user3");
  auto after_gap = join_delta(other, 3, "user3");
  delta_generations with_old{{5, 10, 15}};
  with_old.push(old);
  auto before = with_old.generations();
  with_old.push(after_gap);
  EXPECT_EQ(with_old.generations(), before);
}

TEST(delta_generations, forget_replica_prunes_every_generation) {
  replicated_state s{r2};
  delta_generations gens{{5, 10, 15}};
  gens.push(join_delta(s, 1, "user2"));
  gens.forget_replica(r2);
  for (const auto& g : gens.generations()) {
    EXPECT_TRUE(g.values.empty());
    EXPECT_TRUE(g.clouds.empty());
    EXPECT_TRUE(g.start.empty());
  }
}

TEST(delta_generations, clear_drops_them_all) {
  replicated_state s{r1};
  delta_generations gens;
  gens.push(join_delta(s, 1, "user1"));
  gens.clear();
  EXPECT_TRUE(gens.generations().empty());
  EXPECT_EQ(gens.covering(r2, version_vector{{r1, 0}}, version_vector{{r1, 1}}), nullptr);
}

TEST(delta_generations, covering_is_the_first_window_that_brings_the_remote_up_to_date) {
  replicated_state s{r1};
  delta_generations gens{{2, 5, 6}};
  gens.push(join_delta(s, 1, "user1")); // (0,1]
  gens.push(join_delta(s, 2, "user2")); // gens (1,2], (0,2], (0,2]
  const auto& g = gens.generations();
  version_vector seen{{r1, 2}};
  EXPECT_EQ(gens.covering(r2, version_vector{{r1, 1}, {r2, 0}}, seen), &g[0]);
  EXPECT_EQ(gens.covering(r2, version_vector{{r1, 0}, {r2, 0}}, seen), &g[1]);
  // Up to date: nothing to send.
  EXPECT_EQ(gens.covering(r2, version_vector{{r1, 2}, {r2, 0}}, seen), nullptr);
  // Knows nothing of r1: nothing it could take.
  EXPECT_EQ(gens.covering(r2, version_vector{{r2, 0}}, seen), nullptr);
}

TEST(delta_generations, a_window_older_than_the_remote_gap_is_not_chosen) {
  replicated_state s{r1};
  delta_generations gens{{2, 2, 2}};
  join_delta(s, 1, "user1"); // never pushed: the remote must not skip it
  gens.push(join_delta(s, 2, "user2"));
  version_vector seen{{r1, 2}};
  EXPECT_EQ(gens.covering(r2, version_vector{{r1, 0}}, seen), nullptr);
  EXPECT_NE(gens.covering(r2, version_vector{{r1, 1}}, seen), nullptr);
}

TEST(delta_generations, a_window_behind_on_a_shared_replica_is_not_chosen) {
  // A window that starts past the remote on r2 would skip r2's events.
  delta w;
  w.start = {{r1, 0}, {r2, 3}};
  w.end = {{r1, 1}, {r2, 4}};
  w.clouds = {{r1, {1}}, {r2, {4}}};
  delta_generations gens;
  gens.push(w);
  version_vector seen{{r1, 1}, {r2, 4}};
  EXPECT_EQ(gens.covering(r3, version_vector{{r1, 0}, {r2, 1}}, seen), nullptr);
  EXPECT_NE(gens.covering(r3, version_vector{{r1, 0}, {r2, 3}}, seen), nullptr);
  // A remote that does not know r2 needs only the r1 part.
  EXPECT_NE(gens.covering(r3, version_vector{{r1, 0}}, seen), nullptr);
}

TEST(delta_generations, a_window_short_of_what_the_sender_has_seen_is_not_chosen) {
  replicated_state s{r1};
  delta_generations gens;
  gens.push(join_delta(s, 1, "user1")); // r1 (0,1], nothing of r2
  // The sender has seen r2 up to 5 (say from a full state); a remote behind
  // on r2 would get r1's events only.
  version_vector seen{{r1, 1}, {r2, 5}};
  EXPECT_EQ(gens.covering(r3, version_vector{{r1, 0}, {r2, 0}}, seen), nullptr);
  EXPECT_NE(gens.covering(r3, version_vector{{r1, 0}, {r2, 5}}, seen), nullptr);
}

TEST(delta_generations, the_requesters_own_replica_does_not_count) {
  replicated_state s{r1};
  delta_generations gens;
  gens.push(join_delta(s, 1, "user1"));
  version_vector seen{{r1, 1}, {r3, 9}};
  EXPECT_NE(gens.covering(r3, version_vector{{r1, 0}, {r3, 0}}, seen), nullptr);
}

} // namespace
} // namespace rt::presence
