#include "rt/replication/walsender.hpp"

#include <gtest/gtest.h>

#include "rt/replication/test_bytes.hpp"

using namespace rt::replication;
using rt::replication::test::bytes_builder;

TEST(walsender, decodes_xlog_data_with_its_payload) {
  auto msg = bytes_builder{}.ch('w').u64(0x16B3748).u64(0x16B37A0).u64(42).raw("B...").str();
  auto decoded = decode_walsender(msg);
  ASSERT_TRUE(decoded);
  auto& d = std::get<xlog_data>(*decoded);
  EXPECT_EQ(d.start, 0x16B3748u);
  EXPECT_EQ(d.wal_end, 0x16B37A0u);
  EXPECT_EQ(d.send_time, 42);
  EXPECT_EQ(d.payload, "B...");
}

TEST(walsender, decodes_a_keepalive_and_its_reply_request) {
  auto msg = bytes_builder{}.ch('k').u64(0x2000000).u64(7).u8(1).str();
  auto decoded = decode_walsender(msg);
  ASSERT_TRUE(decoded);
  auto& k = std::get<primary_keepalive>(*decoded);
  EXPECT_EQ(k.wal_end, 0x2000000u);
  EXPECT_EQ(k.send_time, 7);
  EXPECT_TRUE(k.reply_requested);
}

TEST(walsender, refuses_truncated_unknown_and_overlong_messages) {
  EXPECT_EQ(decode_walsender("").error(), errc::truncated);
  EXPECT_EQ(decode_walsender("w1234567").error(), errc::truncated);
  EXPECT_EQ(decode_walsender(bytes_builder{}.ch('k').u64(1).u64(2).str()).error(), errc::truncated);
  EXPECT_EQ(decode_walsender(bytes_builder{}.ch('k').u64(1).u64(2).u8(0).u8(0).str()).error(),
            errc::trailing_bytes);
  EXPECT_EQ(decode_walsender("x").error(), errc::unknown_message);
}

TEST(walsender, standby_status_is_34_bytes_in_wire_order) {
  auto msg = encode_standby_status(0x0102030405060708, 0x10, 0x20, 0x30, true);
  auto expected = bytes_builder{}.ch('r').u64(0x0102030405060708).u64(0x10).u64(0x20).u64(0x30).u8(1).str();
  EXPECT_EQ(msg.size(), 34u);
  EXPECT_EQ(msg, expected);
}

TEST(walsender, formats_lsns_as_postgresql_does) {
  EXPECT_EQ(format_lsn(0x16B3748), "0/16B3748");
  EXPECT_EQ(format_lsn(0x00000001000000A0), "1/A0");
  EXPECT_EQ(format_lsn(0), "0/0");
}
