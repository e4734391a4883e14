// What runs once per change and subscriber allocates nothing: looking a
// filter's column up and matching LIKE and regex patterns. This test binary
// counts the global operator new while a counting scope is open.

#include <atomic>
#include <cstdlib>
#include <new>

#include <gtest/gtest.h>

#include "rt/replication/change_stream.hpp"
#include "rt/replication/filter_eval.hpp"

namespace {

std::atomic<bool> counting{false};
std::atomic<std::size_t> allocations{0};

// Allocations made by operator new while it lives.
class allocation_count {
public:
  allocation_count() {
    allocations.store(0);
    counting.store(true);
  }
  ~allocation_count() { counting.store(false); }
  [[nodiscard]] std::size_t so_far() const { return allocations.load(); }
};

} // namespace

void* operator new(std::size_t size) {
  if (counting.load(std::memory_order_relaxed))
    allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size))
    return p;
  throw std::bad_alloc{};
}

// Not inlined: GCC would otherwise see free() meet operator new's pointer
// at every delete and warn (-Wmismatched-new-delete).
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }

[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace rt::replication;

namespace {

std::optional<compiled_filter> compiled(filter_op op, std::string pattern) {
  auto f = compile_filter({"c", op, pattern, false}, {25, "C", {}}, {pattern});
  if (!f) {
    ADD_FAILURE() << f.error();
    return std::nullopt;
  }
  return *f;
}

const std::string long_value(200, 'x');

} // namespace

TEST(PerChangeAllocations, the_counter_sees_an_allocation) {
  allocation_count count;
  auto copy = std::make_unique<std::string>(long_value);
  EXPECT_GE(count.so_far(), 1u);
}

TEST(PerChangeAllocations, a_column_is_found_by_a_name_view) {
  relation_message r;
  r.columns = {{true, "a_column_with_a_long_name", 20, -1}};
  relation_snapshot snapshot{r, type_names{}, {true}};
  std::string_view name = "a_column_with_a_long_name";
  allocation_count count;
  EXPECT_EQ(snapshot.index_of(name), std::optional<std::size_t>{0});
  EXPECT_EQ(count.so_far(), 0u);
}

TEST(PerChangeAllocations, like_and_ilike_match_in_place) {
  auto like = compiled(filter_op::like, "%x_x%");
  auto ilike = compiled(filter_op::ilike, "%X_X%");
  ASSERT_TRUE(like && ilike);
  allocation_count count;
  EXPECT_EQ(evaluate(*like, long_value), truth::yes);
  EXPECT_EQ(evaluate(*ilike, long_value), truth::yes);
  EXPECT_EQ(count.so_far(), 0u);
}

// RE2 builds the DFA states a search needs as it goes, within the
// pattern's memory budget; once built, a search allocates nothing.
TEST(PerChangeAllocations, a_regex_searches_the_value_without_copying_it) {
  auto match = compiled(filter_op::match, "x{3}$");
  auto imatch = compiled(filter_op::imatch, "^[[:alpha:]]+X\\y");
  ASSERT_TRUE(match && imatch);
  EXPECT_EQ(evaluate(*match, long_value), truth::yes);
  EXPECT_EQ(evaluate(*imatch, long_value), truth::yes);
  allocation_count count;
  EXPECT_EQ(evaluate(*match, long_value), truth::yes);
  EXPECT_EQ(evaluate(*imatch, long_value), truth::yes);
  EXPECT_EQ(evaluate(*match, std::string_view{long_value}.substr(1)), truth::yes);
  EXPECT_EQ(count.so_far(), 0u);
}
