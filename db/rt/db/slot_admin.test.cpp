#include "rt/db/slot_admin.hpp"

#include <string>

#include <gtest/gtest.h>

#include "rt/db/database_fixture.test.hpp"

namespace rt::db {
namespace {

using SlotAdmin = DatabaseTest;

TEST_F(SlotAdmin, RelationFactsFollowDomainsToTheirBase) {
  sql("CREATE DOMAIN public.d1 AS int4;"
      "CREATE DOMAIN public.d2 AS public.d1;"
      "CREATE DOMAIN public.d3 AS public.d2;"
      "CREATE DOMAIN public.tags AS text[];"
      "CREATE TABLE public.t (id int8, x public.d3, tags public.tags, note text,"
      "  PRIMARY KEY (x, id))");
  auto relid = scalar("SELECT 'public.t'::regclass::oid");
  auto facts = read_relation_facts(conn_.get(), static_cast<std::uint32_t>(std::stoul(relid)));
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_EQ(facts->primary_key, (std::vector<std::string>{"id", "x"}));
  ASSERT_EQ(facts->columns.size(), 4u);
  EXPECT_EQ(facts->columns[0].first, "id");
  EXPECT_EQ(facts->columns[0].second.value_oid, 20u);
  EXPECT_EQ(facts->columns[1].second.type_name, "d3");
  EXPECT_EQ(facts->columns[1].second.value_oid, 23u);
  EXPECT_EQ(facts->columns[1].second.element_oid, 0u);
  EXPECT_EQ(facts->columns[2].second.type_name, "tags");
  EXPECT_EQ(facts->columns[2].second.value_oid, 1009u);
  EXPECT_EQ(facts->columns[2].second.element_oid, 25u);
  EXPECT_EQ(facts->columns[3].second.value_oid, 25u);
}

} // namespace
} // namespace rt::db
