#include "rt/protocol/join_config.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

using rt::protocol::flexible_bool;
using rt::protocol::join_config;
using rt::protocol::parse_join_config;
using rt::protocol::realtime_subtopic;

namespace {

struct parsed {
  join_config config;
  std::vector<std::string> problems;
};

parsed parse(std::string_view json) {
  parsed out;
  out.config = parse_join_config(boost::json::parse(json), &out.problems);
  return out;
}

/// True when some problem mentions `path`.
bool mentions(const std::vector<std::string>& problems, std::string_view path) {
  for (auto& p : problems)
    if (p.find(path) != std::string::npos)
      return true;
  return false;
}

void expect_defaults(const join_config& c) {
  EXPECT_FALSE(c.broadcast_self);
  EXPECT_FALSE(c.broadcast_ack);
  EXPECT_FALSE(c.replication_ready);
  EXPECT_FALSE(c.presence_enabled);
  EXPECT_TRUE(c.presence_key.empty());
  EXPECT_FALSE(c.is_private);
  EXPECT_TRUE(c.postgres_changes.empty());
  EXPECT_FALSE(c.access_token);
}

} // namespace

// -- FlexibleBoolean ----------------------------------------------------------------

TEST(flexible_bool, accepts_json_booleans) {
  EXPECT_EQ(flexible_bool(true), true);
  EXPECT_EQ(flexible_bool(false), false);
}

TEST(flexible_bool, accepts_true_and_false_strings_in_any_case) {
  for (std::string_view s : {"true", "TRUE", "True", "tRuE"})
    EXPECT_EQ(flexible_bool(boost::json::string(s)), true) << s;
  for (std::string_view s : {"false", "False", "FALSE", "fAlSe"})
    EXPECT_EQ(flexible_bool(boost::json::string(s)), false) << s;
}

TEST(flexible_bool, refuses_everything_else) {
  for (std::string_view json : {"1", "0", "null", R"("yes")", R"("")", R"(" true")",
                                R"("truex")", "[]", "{}", R"(["true"])"})
    EXPECT_EQ(flexible_bool(boost::json::parse(json)), std::nullopt) << json;
}

// -- parse_join_config ---------------------------------------------------------------

TEST(parse_join_config, empty_object_gives_defaults_without_problems) {
  auto p = parse("{}");
  expect_defaults(p.config);
  EXPECT_TRUE(p.problems.empty());
}

TEST(parse_join_config, reads_the_documented_payload) {
  auto p = parse(R"({
    "config": {
      "broadcast": {"ack": true, "self": "True", "replay": {"since": 1763407103911, "limit": 10},
                    "replication_ready": true},
      "presence": {"enabled": true, "key": "user-827"},
      "postgres_changes": [
        {"event": "*", "schema": "public", "table": "todos", "filter": "id=eq.1",
         "select": ["id","title"]}
      ],
      "private": true
    },
    "access_token": "eyJhbGciOi.x.y",
    "version": "realtime-js/2.11.0"
  })");
  EXPECT_TRUE(p.problems.empty());
  EXPECT_TRUE(p.config.broadcast_ack);
  EXPECT_TRUE(p.config.broadcast_self);
  EXPECT_TRUE(p.config.replication_ready);
  EXPECT_TRUE(p.config.presence_enabled);
  EXPECT_EQ(p.config.presence_key, "user-827");
  EXPECT_TRUE(p.config.is_private);
  ASSERT_EQ(p.config.postgres_changes.size(), 1u);
  EXPECT_EQ(p.config.postgres_changes[0].at("table").as_string(), "todos");
  EXPECT_EQ(p.config.access_token, "eyJhbGciOi.x.y");
}

TEST(parse_join_config, reads_realtime_js_2_11_join_payload) {
  auto p = parse(R"({"config":{"broadcast":{"ack":false,"self":false},
    "presence":{"key":""},"postgres_changes":[],"private":false},"access_token":"t"})");
  EXPECT_TRUE(p.problems.empty());
  expect_defaults(join_config{p.config.broadcast_self, p.config.broadcast_ack,
                              p.config.replication_ready, p.config.presence_enabled,
                              p.config.presence_key, p.config.is_private,
                              p.config.postgres_changes, std::nullopt, false, std::nullopt});
  EXPECT_EQ(p.config.access_token, "t");
}

TEST(parse_join_config, string_booleans_work_everywhere) {
  auto p = parse(R"({"config":{"broadcast":{"self":"TRUE","ack":"true","replication_ready":"True"},
    "presence":{"enabled":"tRUE"},"private":"true"}})");
  EXPECT_TRUE(p.problems.empty());
  EXPECT_TRUE(p.config.broadcast_self);
  EXPECT_TRUE(p.config.broadcast_ack);
  EXPECT_TRUE(p.config.replication_ready);
  EXPECT_TRUE(p.config.presence_enabled);
  EXPECT_TRUE(p.config.is_private);
  auto f = parse(R"({"config":{"broadcast":{"self":"False"},"private":"FALSE"}})");
  EXPECT_TRUE(f.problems.empty());
  EXPECT_FALSE(f.config.broadcast_self);
  EXPECT_FALSE(f.config.is_private);
}

TEST(parse_join_config, nulls_count_as_absent) {
  auto p = parse(R"({"config":{"broadcast":{"self":null,"ack":null},"presence":{"key":null,
    "enabled":null},"postgres_changes":null,"private":null},"access_token":null})");
  expect_defaults(p.config);
  EXPECT_TRUE(p.problems.empty());
  auto q = parse(R"({"config":{"broadcast":null,"presence":null}})");
  expect_defaults(q.config);
  EXPECT_TRUE(q.problems.empty());
}

TEST(parse_join_config, a_scalar_presence_key_is_taken_as_its_json_text) {
  EXPECT_EQ(parse(R"({"config":{"presence":{"key":42}}})").config.presence_key, "42");
  EXPECT_EQ(parse(R"({"config":{"presence":{"key":true}}})").config.presence_key, "true");
}

TEST(parse_join_config, each_wrong_boolean_falls_back_with_its_own_problem) {
  struct field {
    std::string_view json;
    std::string_view path;
  };
  for (auto [json, path] : {
         field{R"({"config":{"broadcast":{"self":1}}})", "config.broadcast.self"},
         field{R"({"config":{"broadcast":{"ack":"yes"}}})", "config.broadcast.ack"},
         field{R"({"config":{"broadcast":{"replication_ready":[]}}})",
               "config.broadcast.replication_ready"},
         field{R"({"config":{"presence":{"enabled":"on"}}})", "config.presence.enabled"},
         field{R"({"config":{"private":0}})", "config.private"},
       }) {
    auto p = parse(json);
    expect_defaults(p.config);
    ASSERT_EQ(p.problems.size(), 1u) << json;
    EXPECT_TRUE(mentions(p.problems, path)) << p.problems[0];
  }
}

TEST(parse_join_config, each_wrong_container_or_key_falls_back_with_its_own_problem) {
  struct field {
    std::string_view json;
    std::string_view path;
  };
  for (auto [json, path] : {
         field{R"({"config":"x"})", "config"},
         field{R"({"config":{"broadcast":true}})", "config.broadcast"},
         field{R"({"config":{"presence":[]}})", "config.presence"},
         field{R"({"config":{"presence":{"key":{"a":1}}}})", "config.presence.key"},
         field{R"({"config":{"postgres_changes":{"event":"*"}}})", "config.postgres_changes"},
       }) {
    auto p = parse(json);
    expect_defaults(p.config);
    ASSERT_EQ(p.problems.size(), 1u) << json;
    EXPECT_TRUE(mentions(p.problems, path)) << p.problems[0];
  }
}

TEST(parse_join_config, wrong_values_do_not_spoil_valid_neighbours) {
  auto p = parse(R"({"config":{"broadcast":{"self":"maybe","ack":true},
    "presence":{"enabled":1,"key":"k"},"private":"nope",
    "postgres_changes":[{"event":"*"}]},"access_token":"tok"})");
  EXPECT_EQ(p.problems.size(), 3u);
  EXPECT_TRUE(mentions(p.problems, "config.broadcast.self"));
  EXPECT_TRUE(mentions(p.problems, "config.presence.enabled"));
  EXPECT_TRUE(mentions(p.problems, "config.private"));
  EXPECT_FALSE(p.config.broadcast_self);
  EXPECT_TRUE(p.config.broadcast_ack);
  EXPECT_FALSE(p.config.presence_enabled);
  EXPECT_EQ(p.config.presence_key, "k");
  EXPECT_FALSE(p.config.is_private);
  EXPECT_EQ(p.config.postgres_changes.size(), 1u);
  EXPECT_EQ(p.config.access_token, "tok");
}

TEST(parse_join_config, works_without_a_problem_list) {
  auto c = parse_join_config(boost::json::parse(R"({"config":{"private":7}})"));
  EXPECT_FALSE(c.is_private);
}

TEST(parse_join_config, removes_null_bindings_and_keeps_the_rest_verbatim_in_order) {
  std::string_view first = R"({"event":"*","schema":"public","table":"todos","filter":"id=eq.1"})";
  std::string_view second = R"({"table":"b","event":"INSERT","extra":[1,2],"schema":"s"})";
  auto json = R"({"config":{"postgres_changes":[null,)" + std::string{first} + ",null,null,"
              + std::string{second} + ",null]}}";
  auto p = parse(json);
  EXPECT_TRUE(p.problems.empty());
  ASSERT_EQ(p.config.postgres_changes.size(), 2u);
  EXPECT_EQ(boost::json::serialize(p.config.postgres_changes[0]), first);
  EXPECT_EQ(boost::json::serialize(p.config.postgres_changes[1]), second);
}

TEST(parse_join_config, keeps_identical_bindings_separately) {
  auto p = parse(R"({"config":{"postgres_changes":[{"event":"*"},{"event":"*"}]}})");
  EXPECT_EQ(p.config.postgres_changes.size(), 2u);
}

TEST(parse_join_config, user_token_beats_access_token) {
  auto p = parse(R"({"access_token":"from-access","user_token":"from-user"})");
  EXPECT_EQ(p.config.access_token, "from-user");
  auto q = parse(R"({"user_token":"from-user","access_token":"from-access"})");
  EXPECT_EQ(q.config.access_token, "from-user");
}

TEST(parse_join_config, access_token_alone_is_used) {
  EXPECT_EQ(parse(R"({"access_token":"jwt"})").config.access_token, "jwt");
}

TEST(parse_join_config, ignores_sb_api_keys_as_tokens) {
  EXPECT_FALSE(parse(R"({"access_token":"sb_publishable_abc"})").config.access_token);
  EXPECT_FALSE(parse(R"({"access_token":"sb_secret_abc"})").config.access_token);
  // Only the exact prefix marks an API key.
  EXPECT_EQ(parse(R"({"access_token":"sbx"})").config.access_token, "sbx");
}

TEST(parse_join_config, ignores_non_string_tokens) {
  EXPECT_FALSE(parse(R"({"access_token":123})").config.access_token);
  EXPECT_FALSE(parse(R"({"access_token":{"t":1}})").config.access_token);
}

TEST(parse_join_config, non_object_payload_gives_defaults_and_one_problem) {
  for (std::string_view json : {"[]", "\"x\"", "1", "true"}) {
    auto p = parse(json);
    expect_defaults(p.config);
    ASSERT_EQ(p.problems.size(), 1u) << json;
    EXPECT_TRUE(mentions(p.problems, "payload")) << json;
  }
}

TEST(parse_join_config, null_payload_gives_defaults_without_problems) {
  auto p = parse("null");
  expect_defaults(p.config);
  EXPECT_TRUE(p.problems.empty());
}

TEST(parse_join_config, token_is_read_even_without_config) {
  auto p = parse(R"({"access_token":"t","config":"bad"})");
  EXPECT_EQ(p.config.access_token, "t");
  EXPECT_EQ(p.problems.size(), 1u);
}

// -- realtime_subtopic ----------------------------------------------------------------

TEST(realtime_subtopic, strips_the_realtime_prefix) {
  EXPECT_EQ(realtime_subtopic("realtime:room1"), "room1");
  EXPECT_EQ(realtime_subtopic("realtime:a:b"), "a:b");
}

TEST(realtime_subtopic, empty_subtopic_is_present_but_empty) {
  auto sub = realtime_subtopic("realtime:");
  ASSERT_TRUE(sub);
  EXPECT_TRUE(sub->empty());
}

TEST(realtime_subtopic, other_namespaces_have_none) {
  for (std::string_view topic : {"room:lobby", "phoenix", "realtime", "Realtime:x", "",
                                 " realtime:x", "xrealtime:x"})
    EXPECT_EQ(realtime_subtopic(topic), std::nullopt) << topic;
}

TEST(parse_join_config, reads_replay_params_and_clamps_the_limit) {
  auto p = parse(R"({"config":{"broadcast":{"replay":{"since":1763407103911,"limit":10}}}})");
  ASSERT_TRUE(p.config.replay);
  EXPECT_TRUE(p.config.replay_asked);
  EXPECT_TRUE(p.config.replay->valid);
  EXPECT_EQ(p.config.replay->since_ms, 1763407103911);
  EXPECT_EQ(p.config.replay->limit, 10);
  auto big = parse(R"({"config":{"broadcast":{"replay":{"since":0,"limit":1000}}}})");
  EXPECT_EQ(big.config.replay->limit, 25);
  auto small = parse(R"({"config":{"broadcast":{"replay":{"since":0,"limit":-3}}}})");
  EXPECT_EQ(small.config.replay->limit, 1);
  auto unset = parse(R"({"config":{"broadcast":{"replay":{"since":5}}}})");
  EXPECT_EQ(unset.config.replay->limit, 25);
}

TEST(parse_join_config, replay_params_that_are_not_integers_are_invalid) {
  for (auto text : {R"({"config":{"broadcast":{"replay":{"since":"5"}}}})",
                    R"({"config":{"broadcast":{"replay":{}}}})",
                    R"({"config":{"broadcast":{"replay":{"since":1.5}}}})",
                    R"({"config":{"broadcast":{"replay":{"since":1,"limit":"2"}}}})"}) {
    auto p = parse(text);
    ASSERT_TRUE(p.config.replay) << text;
    EXPECT_FALSE(p.config.replay->valid) << text;
  }
  auto not_a_map = parse(R"({"config":{"broadcast":{"replay":true}}})");
  EXPECT_TRUE(not_a_map.config.replay_asked);
  EXPECT_FALSE(not_a_map.config.replay);
  EXPECT_FALSE(parse(R"({"config":{"broadcast":{}}})").config.replay_asked);
}
