#include "rt/protocol/wire_frame.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

using rt::protocol::frame_writer;
using rt::protocol::make_close_frame;
using rt::protocol::make_frame;
using rt::protocol::opcode;
using rt::protocol::wire_frame;

namespace {

std::uint8_t byte_at(const wire_frame& f, std::size_t i) {
  return static_cast<std::uint8_t>(f.bytes()[i]);
}

std::uint64_t big_endian(const wire_frame& f, std::size_t from, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i)
    v = (v << 8) | byte_at(f, from + i);
  return v;
}

/// Header size a server frame of `n` payload bytes must have.
std::size_t header_size(std::size_t n) {
  return n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
}

} // namespace

TEST(wire_frame, encodes_length_with_shortest_form) {
  for (std::size_t n : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 1u << 20}) {
    std::string payload(n, 'p');
    auto f = make_frame(opcode::text, payload);
    auto h = header_size(n);
    ASSERT_EQ(f.size(), h + n) << n;
    ASSERT_EQ(f.bytes().size(), h + n) << n;
    auto len7 = byte_at(f, 1);
    if (h == 2) {
      EXPECT_EQ(len7, n) << n;
    } else if (h == 4) {
      EXPECT_EQ(len7, 126) << n;
      EXPECT_EQ(big_endian(f, 2, 2), n) << n;
    } else {
      EXPECT_EQ(len7, 127) << n;
      EXPECT_EQ(big_endian(f, 2, 8), n) << n;
    }
    EXPECT_EQ(f.bytes().substr(h), payload) << n;
    EXPECT_EQ(f.payload(), payload) << n;
  }
}

TEST(wire_frame, sets_fin_and_opcode_and_no_mask) {
  for (auto op : {opcode::text, opcode::binary, opcode::close, opcode::ping, opcode::pong}) {
    auto f = make_frame(op, "x");
    EXPECT_EQ(byte_at(f, 0), 0x80 | static_cast<std::uint8_t>(op));
    EXPECT_EQ(byte_at(f, 1) & 0x80, 0) << "server frames are never masked";
    EXPECT_EQ(f.op(), op);
  }
}

TEST(wire_frame, writer_builds_frame_from_appended_payload) {
  frame_writer w{opcode::binary, 4};
  w.out().append("ab");
  w.out().push_back('\0');
  w.out().append(200, 'z');
  auto f = w.finish();
  std::string expected_payload = std::string("ab\0", 3) + std::string(200, 'z');
  EXPECT_EQ(f.op(), opcode::binary);
  EXPECT_EQ(f.payload(), expected_payload);
  EXPECT_EQ(f.size(), 4 + expected_payload.size());
  EXPECT_EQ(byte_at(f, 0), 0x82);
  EXPECT_EQ(byte_at(f, 1), 126);
  EXPECT_EQ(big_endian(f, 2, 2), expected_payload.size());
}

TEST(wire_frame, finish_shared_yields_same_bytes) {
  frame_writer w{opcode::text};
  w.out().append("{\"a\":1}");
  auto shared = w.finish_shared();
  ASSERT_NE(shared, nullptr);
  auto plain = make_frame(opcode::text, "{\"a\":1}");
  EXPECT_EQ(shared->bytes(), plain.bytes());
}

TEST(wire_frame, close_frame_carries_code_and_reason) {
  auto f = make_close_frame(4000, "going away");
  EXPECT_EQ(f.op(), opcode::close);
  EXPECT_EQ(byte_at(f, 0), 0x88);
  EXPECT_EQ(byte_at(f, 1), 2 + 10);
  EXPECT_EQ(big_endian(f, 2, 2), 4000u);
  EXPECT_EQ(f.payload().substr(2), "going away");
}

TEST(wire_frame, close_frame_without_reason_has_two_byte_body) {
  auto f = make_close_frame(1000, "");
  EXPECT_EQ(f.size(), 4u);
  EXPECT_EQ(byte_at(f, 1), 2);
  EXPECT_EQ(big_endian(f, 2, 2), 1000u);
}

TEST(wire_frame, close_frame_truncates_reason_to_123_bytes) {
  std::string reason(200, 'r');
  for (std::size_t i = 0; i < reason.size(); ++i)
    reason[i] = static_cast<char>('a' + i % 26);
  auto f = make_close_frame(1011, reason);
  EXPECT_EQ(byte_at(f, 1), 125);
  EXPECT_EQ(f.size(), 2u + 125u);
  EXPECT_EQ(big_endian(f, 2, 2), 1011u);
  EXPECT_EQ(f.payload().substr(2), std::string_view{reason}.substr(0, 123));

  auto exact = make_close_frame(1000, std::string(123, 'e'));
  EXPECT_EQ(byte_at(exact, 1), 125);
  EXPECT_EQ(exact.payload().substr(2), std::string(123, 'e'));
}

TEST(wire_frame, default_constructed_frame_is_empty) {
  rt::protocol::wire_frame f;
  EXPECT_EQ(f.size(), 0u);
  EXPECT_TRUE(f.bytes().empty());
  EXPECT_TRUE(f.payload().empty());
}

TEST(frame_writer, builds_a_second_frame_after_finish) {
  rt::protocol::frame_writer w{rt::protocol::opcode::text};
  w.out().append("first");
  auto a = w.finish();
  w.out().append("b");
  auto b = w.finish();
  EXPECT_EQ(a.payload(), "first");
  EXPECT_EQ(b.payload(), "b");
  EXPECT_EQ(b.bytes(), std::string_view("\x81\x01" "b", 3));
}

TEST(make_close_frame, cuts_long_reasons_at_a_character_boundary) {
  std::string reason(122, 'a');
  reason += "\xC3\xA9"; // é straddles the 123-byte limit
  auto f = rt::protocol::make_close_frame(1000, reason);
  EXPECT_EQ(f.payload().size(), 2u + 122u);
}
