// Private-channel permissions from real row level security policies: by
// user id, by topic, by request header, per extension and operation, the
// service role's bypass, a failing policy, and nothing left behind.

#include "rt/db/channel_authorization.hpp"

#include "rt/db/database_fixture.test.hpp"
#include "rt/db/realtime_schema.hpp"

namespace rt::db {
namespace {

class ChannelAuthorization : public DatabaseTest {
protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped())
      return;
    ASSERT_TRUE(migrate_realtime_schema(conn_.get()));
    ASSERT_TRUE(keep_message_partitions(conn_.get()));
    sql(R"sql(
      CREATE POLICY read_own ON realtime.messages FOR SELECT TO authenticated
        USING (realtime.topic() = 'user:' || (current_setting('request.jwt.claims', true)::jsonb->>'sub')
               AND extension = 'broadcast');
      CREATE POLICY read_lobby ON realtime.messages FOR SELECT TO authenticated
        USING (realtime.topic() = 'lobby');
      CREATE POLICY write_lobby ON realtime.messages FOR INSERT TO authenticated
        WITH CHECK (realtime.topic() = 'lobby' AND extension = 'broadcast');
      CREATE POLICY read_team ON realtime.messages FOR SELECT TO anon
        USING (realtime.topic() = 'team'
               AND current_setting('request.headers', true)::jsonb->>'x-team' = 'blue');
      CREATE POLICY read_sub_setting ON realtime.messages FOR SELECT TO authenticated
        USING (realtime.topic() = 'sub-setting' AND current_setting('request.jwt.claim.sub', true) = 'u1');
      CREATE POLICY boom ON realtime.messages FOR SELECT TO authenticated
        USING (realtime.topic() LIKE 'boo%' AND 1 / (length(realtime.topic()) - 4) = 1);
    )sql");
  }

  static channel_client user(std::string sub, std::string topic) {
    return {std::move(topic), "authenticated", R"({"role":"authenticated","sub":")" + sub + R"("})", sub};
  }

  using check = decltype(&check_read);

  channel_permissions ask(check how, const channel_client& c, extensions which) {
    auto r = how(conn_.get(), c, which);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r.value_or(channel_permissions{});
  }

  channel_permissions read(const channel_client& c, extensions which = extensions::broadcast_and_presence) {
    return ask(&check_read, c, which);
  }

  channel_permissions write(const channel_client& c, extensions which = extensions::broadcast_and_presence) {
    return ask(&check_write, c, which);
  }
};

TEST_F(ChannelAuthorization, PoliciesByUserIdDecideReadPerExtension) {
  auto own = read(user("u1", "user:u1"));
  EXPECT_EQ(own.broadcast, true);
  EXPECT_EQ(own.presence, false);
  auto other = read(user("u1", "user:u2"));
  EXPECT_EQ(other.broadcast, false);
  EXPECT_EQ(other.presence, false);
  EXPECT_EQ(read(user("u1", "sub-setting")).broadcast, true);
  EXPECT_EQ(read(user("u2", "sub-setting")).broadcast, false);
}

TEST_F(ChannelAuthorization, SelectAndInsertAreSeparatePermissions) {
  auto r = read(user("u1", "lobby"));
  EXPECT_EQ(r.broadcast, true);
  EXPECT_EQ(r.presence, true);
  auto w = write(user("u1", "lobby"));
  EXPECT_EQ(w.broadcast, true);
  EXPECT_EQ(w.presence, false);
  auto elsewhere = write(user("u1", "user:u1"));
  EXPECT_EQ(elsewhere.broadcast, false);
}

TEST_F(ChannelAuthorization, OnlyTheAskedExtensionsAreChecked) {
  auto r = read(user("u1", "lobby"), extensions::broadcast);
  EXPECT_EQ(r.broadcast, true);
  EXPECT_FALSE(r.presence.has_value());
}

TEST_F(ChannelAuthorization, PoliciesSeeTheRequestHeadersAndRoles) {
  channel_client anon{"team", "anon", R"({"role":"anon"})", std::nullopt, R"({"x-team":"blue"})"};
  EXPECT_EQ(read(anon).broadcast, true);
  anon.headers_json = R"({"x-team":"red"})";
  EXPECT_EQ(read(anon).broadcast, false);
  channel_client lobby_anon{"lobby", "anon", R"({"role":"anon"})", std::nullopt};
  EXPECT_EQ(read(lobby_anon).broadcast, false);
  EXPECT_EQ(write(lobby_anon).broadcast, false);
}

TEST_F(ChannelAuthorization, TheServiceRoleBypassesRowSecurity) {
  channel_client service{"anything", "service_role", R"({"role":"service_role"})", std::nullopt};
  auto r = read(service);
  auto w = write(service);
  EXPECT_EQ(r.broadcast, true);
  EXPECT_EQ(r.presence, true);
  EXPECT_EQ(w.broadcast, true);
  EXPECT_EQ(w.presence, true);
}

TEST_F(ChannelAuthorization, AFailingPolicyOrAnUnknownRoleIsAnError) {
  auto boom = check_read(conn_.get(), user("u1", "boom"), extensions::broadcast);
  ASSERT_FALSE(boom);
  EXPECT_EQ(boom.error().sqlstate, "22012");
  channel_client ghost{"lobby", "no_such_role", "{}", std::nullopt};
  // "none" would leave the server's own role, which policies do not restrict.
  for (const char* role : {"none", "NONE", ""}) {
    channel_client c{"user:u2", role, "{}", std::nullopt};
    EXPECT_FALSE(check_read(conn_.get(), c, extensions::broadcast)) << role;
    EXPECT_FALSE(check_write(conn_.get(), c, extensions::broadcast)) << role;
  }
  EXPECT_FALSE(check_read(conn_.get(), ghost, extensions::broadcast));
  EXPECT_FALSE(check_write(conn_.get(), ghost, extensions::broadcast));
  // The session is usable afterwards.
  EXPECT_EQ(read(user("u1", "lobby")).broadcast, true);
}

TEST_F(ChannelAuthorization, NothingIsLeftBehind) {
  read(user("u1", "lobby"));
  write(user("u1", "lobby"));
  channel_client service{"x", "service_role", R"({"role":"service_role"})", std::nullopt};
  write(service);
  EXPECT_EQ(scalar("SELECT count(*) FROM realtime.messages"), "0");
  EXPECT_EQ(scalar("SELECT current_user"), "postgres");
  EXPECT_EQ(scalar("SELECT coalesce(current_setting('realtime.topic', true), '')"), "");
}

} // namespace
} // namespace rt::db
