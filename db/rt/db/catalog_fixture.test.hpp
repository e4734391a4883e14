#pragma once

// Tests of resolve_binding: each gets a database of its own with an empty
// publication supabase_realtime.

#include <optional>
#include <string>
#include <vector>

#include "rt/db/catalog.hpp"
#include "rt/db/database_fixture.test.hpp"

namespace rt::db {

inline const std::string not_enabled_prefix =
  "Unable to subscribe to changes with given parameters. Please check Realtime is enabled for "
  "the given connect parameters: [";
inline const std::string exception_prefix =
  "Unable to subscribe to changes with given parameters. An exception happened so please check "
  "your connect parameters: [";

using operand_list = std::vector<std::optional<std::string>>;

inline binding_spec binding(std::string schema, std::string table, std::string filter = {},
                            std::optional<std::vector<std::string>> select = std::nullopt) {
  binding_spec b;
  b.schema = std::move(schema);
  b.table = std::move(table);
  auto parsed = replication::parse_filter(filter);
  EXPECT_TRUE(parsed) << parsed.error();
  if (parsed)
    b.filters = *parsed;
  b.select = std::move(select);
  return b;
}

inline std::vector<std::string> names(const std::vector<table_info>& tables) {
  std::vector<std::string> out;
  for (const auto& t : tables)
    out.push_back(t.schema + "." + t.table);
  return out;
}

// The "Exception: ..." part of a client error.
inline std::string exception_part(const std::string& e) {
  auto at = e.find("]. Exception: ");
  return at == std::string::npos ? e : e.substr(at + 14);
}

class Catalog : public DatabaseTest {
protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure())
      return;
    sql("CREATE PUBLICATION supabase_realtime");
  }

  tl::expected<std::vector<table_info>, std::string> resolve(const binding_spec& b,
                                                              const std::string& role = "anon") {
    return resolve_binding(conn_.get(), "supabase_realtime", role, b);
  }

  // The single table `b` resolves to (fails the test otherwise).
  table_info resolve_one(const binding_spec& b, const std::string& role = "anon") {
    auto r = resolve(b, role);
    EXPECT_TRUE(r) << r.error();
    if (!r || r->size() != 1) {
      ADD_FAILURE() << "expected exactly one table";
      return {};
    }
    return r->front();
  }

  // The operands of the single filter of `filter` on public.t.
  operand_list operands(const std::string& filter) {
    auto t = resolve_one(binding("public", "t", filter));
    if (t.filters.size() != 1)
      return {};
    return t.filters.front().operands;
  }

  // The client error for `filter` on public.t.
  std::string filter_error(const std::string& filter, const std::string& role = "anon") {
    auto r = resolve(binding("public", "t", filter), role);
    EXPECT_FALSE(r) << filter << " was accepted";
    return r ? std::string{} : r.error();
  }

  // The "Exception: ..." part of the error for `filter` on public.t.
  std::string exception_of(const std::string& filter) { return exception_part(filter_error(filter)); }

  // The same for a condition the filter parser would not produce.
  std::string exception_of(const replication::filter_condition& condition) {
    auto b = binding("public", "t");
    b.filters = {condition};
    auto r = resolve(b);
    EXPECT_FALSE(r);
    return r ? std::string{} : exception_part(r.error());
  }
};

} // namespace rt::db
