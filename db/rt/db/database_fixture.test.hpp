#pragma once

// A database of its own per test (db_<test>_<pid>) on the cluster of the
// CTest fixture "pg" (port in RT_TEST_PGPORT); the roles are the cluster's.
// Tests are skipped when run outside ctest.

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "rt/db/connection.hpp"

namespace rt::db {

class DatabaseTest : public ::testing::Test {
protected:
  void SetUp() override {
    const char* port = std::getenv("RT_TEST_PGPORT");
    if (port == nullptr)
      GTEST_SKIP() << "RT_TEST_PGPORT is not set: run through ctest (fixture pg)";
    cfg_.host = "127.0.0.1";
    cfg_.port = static_cast<std::uint16_t>(std::atoi(port));
    cfg_.user = "postgres";
    cfg_.name = "postgres";
    auto admin = connect(cfg_, session_kind::regular);
    ASSERT_TRUE(admin) << admin.error().message;
    admin_ = std::move(*admin);
    db_ = database_name();
    run(admin_.get(), "CREATE DATABASE " + quote_identifier(db_));
    cfg_.name = db_;
    reconnect();
  }

  void TearDown() override {
    conn_.reset();
    if (admin_)
      run(admin_.get(), "DROP DATABASE IF EXISTS " + quote_identifier(db_) + " WITH (FORCE)");
  }

  // A new session on the test's database (one that sees ALTER DATABASE SET).
  void reconnect() {
    conn_.reset();
    auto conn = connect(cfg_, session_kind::regular);
    ASSERT_TRUE(conn) << conn.error().message;
    conn_ = std::move(*conn);
  }

  static std::string database_name() {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::isalnum(c) ? std::tolower(c) : '_'; });
    return "db_" + name.substr(0, 40) + "_" + std::to_string(::getpid());
  }

  static void run(PGconn* conn, const std::string& text) {
    auto r = exec_simple(conn, text);
    ASSERT_TRUE(r) << text << ": " << r.error().message;
  }

  void sql(const std::string& text) { run(conn_.get(), text); }

  // The first field of `text`'s result on `conn` (simple protocol, so that
  // replication sessions can run it too).
  static std::string scalar_on(PGconn* conn, const std::string& text) {
    auto r = exec_simple(conn, text);
    EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().message);
    if (!r || PQntuples(r->get()) == 0)
      return {};
    return std::string{field(r->get(), 0, 0).value_or("")};
  }

  std::string scalar(const std::string& text) { return scalar_on(conn_.get(), text); }

  database_config cfg_;
  connection admin_;
  connection conn_;
  std::string db_;
};

} // namespace rt::db
