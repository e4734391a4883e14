#include "rt/db/postgrex_error.hpp"

#include <gtest/gtest.h>

namespace rt::db {
namespace {

TEST(CatalogPostgrexError, ConditionNames) {
  EXPECT_EQ(condition_name("22P02"), "invalid_text_representation");
  EXPECT_EQ(condition_name("2201B"), "invalid_regular_expression");
  EXPECT_EQ(condition_name("P0001"), "raise_exception");
  EXPECT_EQ(condition_name("ZZZZZ"), "nil");
}

TEST(CatalogPostgrexError, MetadataThenDetail) {
  db_error e{"23514", "new row violates check constraint \"c\"", "Failing row contains (1).",
             "a hint", "t", "col", "c"};
  EXPECT_EQ(postgrex_message(e), "ERROR 23514 (check_violation) new row violates check constraint "
                                 "\"c\"\n\n"
                                 "    table: t\n"
                                 "    column: col\n"
                                 "    constraint: c\n"
                                 "    hint: a hint\n\n"
                                 "Failing row contains (1).");
  EXPECT_EQ(postgrex_message(db_error{"42704", "gone"}), "ERROR 42704 (undefined_object) gone");
  EXPECT_EQ(postgrex_message(db_error{{}, "connection lost"}), "connection lost");
}

} // namespace
} // namespace rt::db
