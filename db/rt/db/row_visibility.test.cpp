// Row visibility under real row level security policies, a batch of keys
// per query: policies by the claims' sub and by a column, the service
// role's bypass, composite and text keys, NULL keys, a failing policy, a
// missing role, a policy that runs too long, and nothing left behind.

#include "rt/db/row_visibility.hpp"

#include "rt/db/database_fixture.test.hpp"

namespace rt::db {
namespace {

using bools = std::vector<bool>;
using key = std::vector<std::optional<std::string>>;

class RowVisibility : public DatabaseTest {
protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped())
      return;
    sql(R"sql(
      CREATE TABLE todos (id int8 PRIMARY KEY, owner text, public bool NOT NULL DEFAULT false);
      ALTER TABLE todos ENABLE ROW LEVEL SECURITY;
      CREATE POLICY own ON todos FOR SELECT TO authenticated
        USING (owner = current_setting('request.jwt.claims', true)::jsonb->>'sub');
      CREATE POLICY by_claim_sub ON todos FOR SELECT TO authenticated
        USING (owner = 'sub:' || current_setting('request.jwt.claim.sub', true));
      CREATE POLICY shown ON todos FOR SELECT TO anon USING (public);
      INSERT INTO todos VALUES (1, 'alice', false), (2, 'bob', false), (3, 'alice', true),
                               (4, 'sub:bob', false);
      CREATE TABLE pairs (tenant text, n int4, note text, PRIMARY KEY (tenant, n));
      ALTER TABLE pairs ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON pairs FOR SELECT TO authenticated
        USING (tenant = current_setting('request.jwt.claims', true)::jsonb->>'tenant');
      INSERT INTO pairs VALUES ('a b', 1, 'x'), ('a b', 2, 'y'), ('c"d', 1, 'z');
      CREATE TABLE fragile (id int4 PRIMARY KEY, d int4);
      ALTER TABLE fragile ENABLE ROW LEVEL SECURITY;
      CREATE POLICY divide ON fragile FOR SELECT TO authenticated USING (10 / d > 0);
      CREATE POLICY slow ON fragile FOR SELECT TO anon USING (pg_sleep(1) IS NOT NULL);
      INSERT INTO fragile VALUES (1, 1), (2, 0);
      GRANT SELECT ON todos, pairs, fragile TO anon, authenticated, service_role;
    )sql");
    todos_ = std::stoul(scalar("SELECT 'todos'::regclass::oid"));
    pairs_ = std::stoul(scalar("SELECT 'pairs'::regclass::oid"));
    fragile_ = std::stoul(scalar("SELECT 'fragile'::regclass::oid"));
  }

  static client_identity user(const std::string& sub, const std::string& more = "") {
    return {"authenticated", R"({"role":"authenticated","sub":")" + sub + "\"" + more + "}", sub};
  }

  static key_batch ids(std::uint32_t relid, std::vector<std::string> values) {
    key_batch b{relid, {"id"}, {}};
    for (auto& v : values)
      b.rows.push_back({std::move(v)});
    return b;
  }

  bools visible(const client_identity& who, const key_batch& b) {
    auto r = visible_rows(conn_.get(), who, b);
    EXPECT_TRUE(r) << (r ? "" : r.error().sqlstate + " " + r.error().message);
    return r.value_or(bools{});
  }

  std::uint32_t todos_ = 0;
  std::uint32_t pairs_ = 0;
  std::uint32_t fragile_ = 0;
};

TEST_F(RowVisibility, PoliciesBySubDecidePerRowInOneBatch) {
  auto batch = ids(todos_, {"1", "2", "3", "4", "99"});
  EXPECT_EQ(visible(user("alice"), batch), (bools{true, false, true, false, false}));
  EXPECT_EQ(visible(user("bob"), batch), (bools{false, true, false, true, false}));
  EXPECT_EQ(visible(user("carol"), batch), (bools{false, false, false, false, false}));
}

TEST_F(RowVisibility, PolicyByColumnForAnon) {
  EXPECT_EQ(visible({"anon", "{}", std::nullopt}, ids(todos_, {"1", "2", "3"})),
            (bools{false, false, true}));
}

TEST_F(RowVisibility, ServiceRoleBypassesAndDuplicatesAreAnswered) {
  EXPECT_EQ(visible({"service_role", R"({"role":"service_role"})", std::nullopt},
                    ids(todos_, {"4", "1", "1", "99"})),
            (bools{true, true, true, false}));
}

TEST_F(RowVisibility, CompositeAndQuotedKeys) {
  key_batch b{pairs_, {"tenant", "n"}, {}};
  b.rows = {key{"a b", "1"}, key{"a b", "2"}, key{"c\"d", "1"}, key{"a b", "3"},
            key{std::nullopt, "1"}};
  EXPECT_EQ(visible(user("u", R"(,"tenant":"a b")"), b), (bools{true, true, false, false, false}));
  EXPECT_EQ(visible(user("u", R"(,"tenant":"c\"d")"), b),
            (bools{false, false, true, false, false}));
  // Key columns in another order than the table's.
  key_batch swapped{pairs_, {"n", "tenant"}, {key{"2", "a b"}}};
  EXPECT_EQ(visible(user("u", R"(,"tenant":"a b")"), swapped), (bools{true}));
}

TEST_F(RowVisibility, FailingPolicyIsAnErrorAndTheSessionStaysUsable) {
  auto r = visible_rows(conn_.get(), user("alice"), ids(fragile_, {"1", "2"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sqlstate, "22012");
  // Rolled back: the next check works on the same session, as the server's role.
  EXPECT_EQ(visible(user("alice"), ids(todos_, {"1"})), (bools{true}));
  EXPECT_EQ(scalar("SELECT current_user"), "postgres");
  EXPECT_EQ(scalar("SELECT coalesce(current_setting('request.jwt.claims', true), '')"), "");
}

TEST_F(RowVisibility, MissingRoleNoneAndMissingTableAreErrors) {
  auto missing = visible_rows(conn_.get(), {"nobody_here", "{}", std::nullopt}, ids(todos_, {"1"}));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().sqlstate, "22023");
  auto none = visible_rows(conn_.get(), {"NONE", "{}", std::nullopt}, ids(todos_, {"1"}));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().sqlstate, "22023");
  auto gone = visible_rows(conn_.get(), user("alice"), ids(1, {"1"}));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().sqlstate, "42P01");
  key_batch wrong{todos_, {"nope"}, {key{"1"}}};
  auto column = visible_rows(conn_.get(), user("alice"), wrong);
  ASSERT_FALSE(column);
  EXPECT_EQ(column.error().sqlstate, "42703");
}

TEST_F(RowVisibility, ValuesAreParametersNotSql) {
  auto r = visible_rows(conn_.get(), user("alice"), ids(todos_, {"1); DROP TABLE todos; --"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sqlstate, "22P02"); // invalid input syntax for type bigint
  EXPECT_EQ(scalar("SELECT count(*) FROM todos"), "4");
}

TEST_F(RowVisibility, TimeoutBoundsASlowPolicy) {
  auto before = scalar("SHOW statement_timeout");
  auto r = visible_rows(conn_.get(), {"anon", "{}", std::nullopt}, ids(fragile_, {"1", "2"}),
                        std::chrono::milliseconds{200});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sqlstate, "57014");
  EXPECT_EQ(scalar("SHOW statement_timeout"), before);
}

TEST_F(RowVisibility, EmptyBatchAsksNothing) {
  EXPECT_EQ(visible(user("alice"), ids(todos_, {})), bools{});
}

} // namespace
} // namespace rt::db
