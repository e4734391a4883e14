#include "rt/db/session_settings.hpp"

#include <map>
#include <string>

#include <gtest/gtest.h>

#include "rt/db/connection.hpp"
#include "rt/db/database_fixture.test.hpp"

namespace rt::db {
namespace {

class Session : public DatabaseTest {
protected:
  // A database whose own settings contradict every pinned one.
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure())
      return;
    auto db = quote_identifier(db_);
    sql("ALTER DATABASE " + db + " SET IntervalStyle = iso_8601;"
        "ALTER DATABASE " + db + " SET bytea_output = escape;"
        "ALTER DATABASE " + db + " SET DateStyle = 'SQL, DMY';"
        "ALTER DATABASE " + db + " SET TimeZone = 'Asia/Tokyo';"
        "ALTER DATABASE " + db + " SET extra_float_digits = 0;"
        "ALTER DATABASE " + db + " SET statement_timeout = '1h'");
  }

  connection open(session_kind kind) {
    auto conn = connect(cfg_, kind);
    EXPECT_TRUE(conn) << conn.error().message;
    return conn ? std::move(*conn) : connection{};
  }

  // statement_timeout in milliseconds.
  static std::string statement_timeout_ms(PGconn* conn) {
    return scalar_on(conn, "SELECT setting FROM pg_catalog.pg_settings WHERE name = 'statement_timeout'");
  }
};

// The walsender writes pgoutput's text values with its session's output
// functions, so the replication session needs the settings as much.
TEST_F(Session, PinnedSettingsOverrideTheDatabase) {
  const std::map<std::string, std::string> shown{{"DateStyle", "ISO, MDY"},
                                                 {"IntervalStyle", "postgres"},
                                                 {"TimeZone", "UTC"},
                                                 {"bytea_output", "hex"},
                                                 {"extra_float_digits", "1"}};
  ASSERT_EQ(shown.size(), pinned_settings.size());
  for (auto kind : {session_kind::regular, session_kind::replication}) {
    auto conn = open(kind);
    ASSERT_TRUE(conn);
    for (const auto& [name, value] : shown)
      EXPECT_EQ(scalar_on(conn.get(), "SHOW " + name), value)
        << name << (kind == session_kind::replication ? " (replication)" : " (regular)");
  }
}

TEST_F(Session, StatementTimeoutOnRegularSessionsOnly) {
  auto regular = open(session_kind::regular);
  ASSERT_TRUE(regular);
  EXPECT_EQ(statement_timeout_ms(regular.get()), std::to_string(statement_timeout.count()));
  auto replication = open(session_kind::replication);
  ASSERT_TRUE(replication);
  // The database's own value: replication sessions add none.
  EXPECT_EQ(statement_timeout_ms(replication.get()), "3600000");
}

TEST_F(Session, KeepalivesAndUserTimeout) {
  for (auto kind : {session_kind::regular, session_kind::replication}) {
    auto conn = open(kind);
    ASSERT_TRUE(conn);
    std::map<std::string, std::string> options;
    PQconninfoOption* info = PQconninfo(conn.get());
    ASSERT_NE(info, nullptr);
    for (auto* o = info; o->keyword != nullptr; ++o)
      if (o->val != nullptr)
        options[o->keyword] = o->val;
    PQconninfoFree(info);
    EXPECT_EQ(options["keepalives"], "1");
    EXPECT_EQ(options["keepalives_idle"], std::to_string(keepalives_idle.count()));
    EXPECT_EQ(options["keepalives_interval"], std::to_string(keepalives_interval.count()));
    EXPECT_EQ(options["keepalives_count"], std::to_string(keepalives_count));
    EXPECT_EQ(options["tcp_user_timeout"], std::to_string(tcp_user_timeout.count()));
  }
}

TEST_F(Session, NulBytesAreRefusedBeforeSending) {
  const std::string with_nul{"1\0x", 3};
  auto param = exec(conn_.get(), "SELECT $1::text", {with_nul});
  ASSERT_FALSE(param);
  EXPECT_EQ(param.error().sqlstate, "22021");
  EXPECT_EQ(param.error().message, "invalid byte sequence for encoding \"UTF8\": 0x00");
  auto text = exec(conn_.get(), "SELECT 1" + with_nul);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().sqlstate, "22021");
  auto simple = exec_simple(conn_.get(), "SELECT 1" + with_nul);
  ASSERT_FALSE(simple);
  EXPECT_EQ(simple.error().sqlstate, "22021");
  // The session is still usable.
  EXPECT_EQ(scalar("SELECT 2"), "2");
  auto null_param = exec(conn_.get(), "SELECT $1::text IS NULL", {std::nullopt});
  ASSERT_TRUE(null_param) << null_param.error().message;
}

TEST(SessionErrors, ConnectionErrorsHaveNoTrailingNewline) {
  database_config cfg;
  cfg.host = "127.0.0.1";
  cfg.port = 1;
  auto conn = connect(cfg, session_kind::regular, 2);
  ASSERT_FALSE(conn);
  EXPECT_TRUE(conn.error().sqlstate.empty());
  ASSERT_FALSE(conn.error().message.empty());
  EXPECT_NE(conn.error().message.back(), '\n') << conn.error().message;
}

TEST(SessionOptions, PinnedSettingsAndTimeout) {
  auto regular = session_options(session_kind::regular);
  auto replication = session_options(session_kind::replication);
  for (const auto& s : pinned_settings) {
    auto option = "-c " + std::string{s.name} + "=" + std::string{s.value};
    EXPECT_NE(regular.find(option), std::string::npos) << regular;
    EXPECT_NE(replication.find(option), std::string::npos) << replication;
  }
  EXPECT_NE(regular.find("-c statement_timeout=" + std::to_string(statement_timeout.count())),
            std::string::npos);
  EXPECT_EQ(replication.find("statement_timeout"), std::string::npos);
}

} // namespace
} // namespace rt::db
