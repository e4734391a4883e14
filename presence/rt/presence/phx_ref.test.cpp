#include "rt/presence/phx_ref.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "rt/presence/replica.hpp"
#include "rt/protocol/base64url.hpp"

namespace rt::presence {
namespace {

std::uint64_t read_big_endian(const std::string& bytes, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i)
    v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
  return v;
}

TEST(phx_ref, is_sixteen_base64url_characters_of_time_hash_and_counter) {
  phx_ref_source refs{0xBEEF, 7};
  auto ref = refs.next(0x0102030405060708ull);
  ASSERT_EQ(ref.size(), 16u);
  auto bytes = protocol::base64url_decode(ref);
  ASSERT_TRUE(bytes);
  ASSERT_EQ(bytes->size(), 12u);
  EXPECT_EQ(read_big_endian(*bytes, 0, 8), 0x0102030405060708ull);
  EXPECT_EQ(read_big_endian(*bytes, 8, 2), 0xBEEFu);
  EXPECT_EQ(read_big_endian(*bytes, 10, 2), 7u);
}

TEST(phx_ref, known_vector) {
  phx_ref_source refs{0x0001, 0x0002};
  // bytes 00 00 00 00 00 00 00 00 | 00 01 | 00 02
  EXPECT_EQ(refs.next(0), "AAAAAAAAAAAAAQAC");
}

TEST(phx_ref, refs_at_the_same_instant_differ) {
  phx_ref_source refs{42};
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i)
    seen.insert(refs.next(123456789));
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(phx_ref, the_counter_wraps_after_sixteen_bits) {
  phx_ref_source refs{1, 0xFFFF};
  auto last = protocol::base64url_decode(refs.next(5));
  auto wrapped = protocol::base64url_decode(refs.next(5));
  EXPECT_EQ(read_big_endian(*last, 10, 2), 0xFFFFu);
  EXPECT_EQ(read_big_endian(*wrapped, 10, 2), 0u);
}

TEST(phx_ref, same_inputs_give_the_same_refs) {
  phx_ref_source one{9}, two{9};
  EXPECT_EQ(one.next(77), two.next(77));
  EXPECT_EQ(one.next(78), two.next(78));
}

TEST(replica_hash16, depends_on_node_and_vsn) {
  replica_ref r{"realtime@10.0.0.1", 1700000000000001};
  EXPECT_EQ(replica_hash16(r), replica_hash16(replica_ref{"realtime@10.0.0.1", 1700000000000001}));
  EXPECT_NE(replica_hash16(r), replica_hash16(replica_ref{"realtime@10.0.0.1", 1700000000000002}));
  EXPECT_NE(replica_hash16(r), replica_hash16(replica_ref{"realtime@10.0.0.2", 1700000000000001}));
}

} // namespace
} // namespace rt::presence
