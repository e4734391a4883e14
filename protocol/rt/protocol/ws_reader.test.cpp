#include "rt/protocol/ws_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using rt::protocol::errc;
using rt::protocol::ws_event;
using rt::protocol::ws_reader;
using kind = ws_event::kind;

namespace {

constexpr std::uint8_t op_cont = 0x0;
constexpr std::uint8_t op_text = 0x1;
constexpr std::uint8_t op_binary = 0x2;
constexpr std::uint8_t op_close = 0x8;
constexpr std::uint8_t op_ping = 0x9;
constexpr std::uint8_t op_pong = 0xA;

constexpr std::size_t default_max = 1 << 20;

/// How to build a test frame; defaults give a valid, final, masked frame
/// with the shortest length encoding.
struct frame_opts {
  bool fin = true;
  std::uint8_t rsv = 0;
  bool masked = true;
  /// -1: minimal; 0: 7-bit; 2: 16-bit; 8: 64-bit extended length.
  int length_bytes = -1;
  std::array<std::uint8_t, 4> key = {0x37, 0xFA, 0x21, 0x3D};
};

int minimal_length_bytes(std::size_t n) {
  return n < 126 ? 0 : n <= 0xFFFF ? 2 : 8;
}

void put_length(std::string& f, std::uint8_t mask, std::uint64_t n, int bytes) {
  auto len7 = bytes == 0 ? n : bytes == 2 ? 126 : 127;
  f.push_back(static_cast<char>(mask | len7));
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8)
    f.push_back(static_cast<char>(n >> shift));
}

/// A client frame with opcode `op` carrying `payload`, built from scratch.
std::string client_frame(std::uint8_t op, std::string_view payload, frame_opts o = {}) {
  std::string f;
  f.push_back(static_cast<char>((o.fin ? 0x80 : 0) | (o.rsv & 0x70) | op));
  int bytes = o.length_bytes < 0 ? minimal_length_bytes(payload.size()) : o.length_bytes;
  put_length(f, o.masked ? 0x80 : 0, payload.size(), bytes);
  if (o.masked)
    f.append(reinterpret_cast<const char*>(o.key.data()), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    f.push_back(static_cast<char>(payload[i] ^ (o.masked ? o.key[i % 4] : 0)));
  return f;
}

/// Only the header of a masked frame declaring `n` payload bytes.
std::string header_only(std::uint8_t op, std::uint64_t n, int bytes) {
  std::string f;
  f.push_back(static_cast<char>(0x80 | op));
  put_length(f, 0x80, n, bytes);
  f.append("\x01\x02\x03\x04", 4);
  return f;
}

std::string close_body(std::uint16_t code, std::string_view reason = {}) {
  std::string body{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  body.append(reason);
  return body;
}

/// `n` bytes covering every byte value.
std::string binary_payload(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>((i * 131 + 7) & 0xFF);
  return s;
}

std::string text_payload(std::size_t n) {
  std::string s(n, 'a');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>('a' + i % 26);
  return s;
}

struct feed_result {
  rt::protocol::expected<void> result;
  std::vector<ws_event> events;
};

feed_result feed(ws_reader& r, std::string_view data) {
  feed_result out;
  out.result = r.feed(data, out.events);
  return out;
}

/// Error from feeding `data` to a fresh reader, or nullopt on success.
std::optional<errc> error_of(std::string_view data, std::size_t max = default_max) {
  ws_reader r{max};
  auto res = feed(r, data);
  if (res.result)
    return std::nullopt;
  return res.result.error();
}

} // namespace

TEST(ws_reader, decodes_masked_text_frame) {
  ws_reader r{default_max};
  auto res = feed(r, client_frame(op_text, "hello"));
  ASSERT_TRUE(res.result);
  ASSERT_EQ(res.events.size(), 1u);
  EXPECT_EQ(res.events[0].type, kind::text);
  EXPECT_EQ(res.events[0].payload, "hello");
  EXPECT_EQ(r.buffered(), 0u);
}

TEST(ws_reader, decodes_rfc_example_frame) {
  // RFC 6455 section 5.7: a masked "Hello".
  std::string frame = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
  ws_reader r{default_max};
  auto res = feed(r, frame);
  ASSERT_TRUE(res.result);
  ASSERT_EQ(res.events.size(), 1u);
  EXPECT_EQ(res.events[0].payload, "Hello");
}

TEST(ws_reader, decodes_frame_fed_one_byte_at_a_time) {
  auto frame = client_frame(op_binary, binary_payload(300));
  ws_reader r{default_max};
  std::vector<ws_event> events;
  for (std::size_t i = 0; i < frame.size(); ++i) {
    ASSERT_TRUE(r.feed(std::string_view{frame}.substr(i, 1), events));
    ASSERT_EQ(events.size(), i + 1 == frame.size() ? 1u : 0u) << i;
  }
  EXPECT_EQ(events[0].type, kind::binary);
  EXPECT_EQ(events[0].payload, binary_payload(300));
  EXPECT_EQ(r.buffered(), 0u);
}

TEST(ws_reader, decodes_frame_split_at_every_position) {
  for (std::size_t size : {0u, 5u, 125u, 126u, 200u, 70000u}) {
    auto frame = client_frame(op_binary, binary_payload(size));
    std::size_t step = size > 1000 ? 997 : 1;
    for (std::size_t split = 0; split <= frame.size(); split += step) {
      ws_reader r{default_max};
      std::vector<ws_event> events;
      ASSERT_TRUE(r.feed(std::string_view{frame}.substr(0, split), events));
      ASSERT_TRUE(r.feed(std::string_view{frame}.substr(split), events));
      ASSERT_EQ(events.size(), 1u) << size << " split " << split;
      ASSERT_EQ(events[0].payload, binary_payload(size)) << size << " split " << split;
    }
  }
}

TEST(ws_reader, decodes_two_frames_in_one_feed) {
  ws_reader r{default_max};
  auto res = feed(r, client_frame(op_text, "one") + client_frame(op_binary, "two"));
  ASSERT_TRUE(res.result);
  ASSERT_EQ(res.events.size(), 2u);
  EXPECT_EQ(res.events[0].type, kind::text);
  EXPECT_EQ(res.events[0].payload, "one");
  EXPECT_EQ(res.events[1].type, kind::binary);
  EXPECT_EQ(res.events[1].payload, "two");
}

TEST(ws_reader, keeps_partial_second_frame_buffered) {
  ws_reader r{default_max};
  auto second = client_frame(op_text, "second");
  auto res = feed(r, client_frame(op_text, "first") + second.substr(0, 9));
  ASSERT_TRUE(res.result);
  ASSERT_EQ(res.events.size(), 1u);
  EXPECT_EQ(r.buffered(), 3u); // 6 header bytes are parsed, 3 payload bytes held
  res = feed(r, second.substr(9));
  ASSERT_TRUE(res.result);
  ASSERT_EQ(res.events.size(), 1u);
  EXPECT_EQ(res.events[0].payload, "second");
  EXPECT_EQ(r.buffered(), 0u);
}

TEST(ws_reader, buffers_partial_header) {
  ws_reader r{default_max};
  auto frame = client_frame(op_text, text_payload(70000));
  auto res = feed(r, frame.substr(0, 5));
  ASSERT_TRUE(res.result);
  EXPECT_EQ(r.buffered(), 5u);
}

TEST(ws_reader, decodes_payload_sizes_with_minimal_lengths) {
  for (std::size_t size : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 1u << 20}) {
    auto frame = client_frame(op_binary, binary_payload(size));
    ws_reader r{default_max};
    auto res = feed(r, frame);
    ASSERT_TRUE(res.result) << size;
    ASSERT_EQ(res.events.size(), 1u) << size;
    EXPECT_EQ(res.events[0].payload, binary_payload(size)) << size;
  }
}

TEST(ws_reader, accepts_non_minimal_extended_lengths) {
  for (int bytes : {2, 8}) {
    for (std::size_t size : {0u, 5u, 125u, 126u, 300u}) {
      auto frame = client_frame(op_text, text_payload(size), {.length_bytes = bytes});
      ws_reader r{default_max};
      auto res = feed(r, frame);
      ASSERT_TRUE(res.result) << bytes << ' ' << size;
      ASSERT_EQ(res.events.size(), 1u);
      EXPECT_EQ(res.events[0].payload, text_payload(size));
    }
  }
}

TEST(ws_reader, unmasks_with_any_key_and_random_splits) {
  std::mt19937 rng{42};
  for (int round = 0; round < 200; ++round) {
    frame_opts o;
    for (auto& k : o.key)
      k = static_cast<std::uint8_t>(rng());
    auto payload = binary_payload(rng() % 3000);
    auto frame = client_frame(op_binary, payload, o);
    ws_reader r{default_max};
    std::vector<ws_event> events;
    std::string_view rest = frame;
    while (!rest.empty()) {
      auto n = std::min<std::size_t>(rest.size(), 1 + rng() % 40);
      ASSERT_TRUE(r.feed(rest.substr(0, n), events));
      rest.remove_prefix(n);
    }
    ASSERT_EQ(events.size(), 1u);
    ASSERT_EQ(events[0].payload, payload) << round;
  }
}

TEST(ws_reader, reassembles_fragmented_text_with_interleaved_ping) {
  auto head = client_frame(op_text, "Hel", {.fin = false})
              + client_frame(op_ping, "are you there");
  auto tail = client_frame(op_cont, "lo, ", {.fin = false})
              + client_frame(op_cont, "", {.fin = false}) // empty fragments are legal
              + client_frame(op_cont, "world");
  ws_reader r{default_max};
  std::vector<ws_event> events;
  ASSERT_TRUE(r.feed(head, events));
  ASSERT_EQ(events.size(), 1u); // the ping is delivered before the message ends
  EXPECT_EQ(events[0].type, kind::ping);
  EXPECT_EQ(events[0].payload, "are you there");
  ASSERT_TRUE(r.feed(tail, events));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].type, kind::text);
  EXPECT_EQ(events[1].payload, "Hello, world");
}

TEST(ws_reader, reassembles_fragmented_binary_with_interleaved_pong) {
  auto data = client_frame(op_binary, "\x01\x02", {.fin = false})
              + client_frame(op_pong, "p") + client_frame(op_cont, "\x03");
  ws_reader r{default_max};
  auto res = feed(r, data);
  ASSERT_TRUE(res.result);
  ASSERT_EQ(res.events.size(), 2u);
  EXPECT_EQ(res.events[0].type, kind::pong);
  EXPECT_EQ(res.events[0].payload, "p");
  EXPECT_EQ(res.events[1].type, kind::binary);
  EXPECT_EQ(res.events[1].payload, "\x01\x02\x03");
}

TEST(ws_reader, accepts_next_message_after_fragmented_one) {
  auto data = client_frame(op_text, "a", {.fin = false}) + client_frame(op_cont, "b")
              + client_frame(op_binary, "c");
  ws_reader r{default_max};
  auto res = feed(r, data);
  ASSERT_TRUE(res.result);
  ASSERT_EQ(res.events.size(), 2u);
  EXPECT_EQ(res.events[0].payload, "ab");
  EXPECT_EQ(res.events[1].type, kind::binary);
  EXPECT_EQ(res.events[1].payload, "c");
}

TEST(ws_reader, delivers_ping_and_pong_payloads) {
  ws_reader r{default_max};
  auto res = feed(r, client_frame(op_ping, std::string("\xFF\x00x", 3)) + client_frame(op_pong, ""));
  ASSERT_TRUE(res.result);
  ASSERT_EQ(res.events.size(), 2u);
  EXPECT_EQ(res.events[0].type, kind::ping);
  EXPECT_EQ(res.events[0].payload, std::string("\xFF\x00x", 3));
  EXPECT_EQ(res.events[1].type, kind::pong);
  EXPECT_EQ(res.events[1].payload, "");
}

TEST(ws_reader, accepts_control_frame_of_125_bytes) {
  ws_reader r{default_max};
  auto res = feed(r, client_frame(op_ping, binary_payload(125)));
  ASSERT_TRUE(res.result);
  ASSERT_EQ(res.events.size(), 1u);
  EXPECT_EQ(res.events[0].payload, binary_payload(125));
}

TEST(ws_reader, rejects_continuation_without_start) {
  EXPECT_EQ(error_of(client_frame(op_cont, "x")), errc::ws_protocol_error);
  EXPECT_EQ(error_of(client_frame(op_cont, "x", {.fin = false})), errc::ws_protocol_error);
  auto after_message = client_frame(op_text, "a") + client_frame(op_cont, "b");
  EXPECT_EQ(error_of(after_message), errc::ws_protocol_error);
}

TEST(ws_reader, rejects_new_data_frame_during_fragmentation) {
  auto start = client_frame(op_text, "a", {.fin = false});
  EXPECT_EQ(error_of(start + client_frame(op_text, "b")), errc::ws_protocol_error);
  EXPECT_EQ(error_of(start + client_frame(op_binary, "b")), errc::ws_protocol_error);
}

TEST(ws_reader, rejects_unmasked_frame) {
  auto frame = client_frame(op_text, "hello", {.masked = false});
  EXPECT_EQ(error_of(frame), errc::ws_protocol_error);
  // Detected from the first two bytes.
  EXPECT_EQ(error_of(frame.substr(0, 2)), errc::ws_protocol_error);
}

TEST(ws_reader, rejects_reserved_bits) {
  for (std::uint8_t rsv : {0x40, 0x20, 0x10, 0x70})
    EXPECT_EQ(error_of(client_frame(op_text, "x", {.rsv = rsv})), errc::ws_protocol_error)
      << int{rsv};
}

TEST(ws_reader, rejects_reserved_opcodes) {
  for (std::uint8_t op : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
    EXPECT_EQ(error_of(client_frame(op, "")), errc::ws_protocol_error) << int{op};
}

TEST(ws_reader, rejects_fragmented_control_frames) {
  for (std::uint8_t op : {op_close, op_ping, op_pong})
    EXPECT_EQ(error_of(client_frame(op, "", {.fin = false})), errc::ws_protocol_error)
      << int{op};
}

TEST(ws_reader, rejects_control_frame_longer_than_125_bytes) {
  for (std::uint8_t op : {op_close, op_ping, op_pong}) {
    EXPECT_EQ(error_of(client_frame(op, binary_payload(126))), errc::ws_protocol_error);
    // Also when the 7-bit field says 126/127 without the payload present.
    EXPECT_EQ(error_of(header_only(op, 126, 2).substr(0, 2)), errc::ws_protocol_error);
  }
}

TEST(ws_reader, rejects_64_bit_length_with_top_bit_set) {
  auto header = header_only(op_binary, 0x8000000000000000ULL, 8);
  EXPECT_EQ(error_of(header, SIZE_MAX), errc::ws_protocol_error);
}

TEST(ws_reader, rejects_close_with_one_byte_body) {
  EXPECT_EQ(error_of(client_frame(op_close, "\x03")), errc::ws_protocol_error);
}

TEST(ws_reader, rejects_too_big_frame_from_header_alone) {
  constexpr std::size_t max = 1000;
  EXPECT_EQ(error_of(header_only(op_text, max + 1, 2), max), errc::ws_message_too_big);
  EXPECT_EQ(error_of(header_only(op_binary, max + 1, 8), max), errc::ws_message_too_big);
  EXPECT_EQ(error_of(header_only(op_binary, 100, 0), 99), errc::ws_message_too_big);
  // Even before the masking key arrives.
  EXPECT_EQ(error_of(header_only(op_text, max + 1, 2).substr(0, 4), max),
            errc::ws_message_too_big);
}

TEST(ws_reader, accepts_message_of_exactly_max_bytes) {
  ws_reader r{1000};
  auto res = feed(r, client_frame(op_text, text_payload(1000)));
  ASSERT_TRUE(res.result);
  ASSERT_EQ(res.events.size(), 1u);
}

TEST(ws_reader, rejects_too_big_message_by_fragments) {
  constexpr std::size_t max = 1000;
  auto start = client_frame(op_text, text_payload(600), {.fin = false});
  auto next = client_frame(op_cont, text_payload(401));
  EXPECT_EQ(error_of(start + next, max), errc::ws_message_too_big);
  // Detected from the continuation's header, before its payload.
  EXPECT_EQ(error_of(start + next.substr(0, 8), max), errc::ws_message_too_big);
  auto exact = start + client_frame(op_cont, text_payload(400));
  EXPECT_EQ(error_of(exact, max), std::nullopt);
}

TEST(ws_reader, control_frames_do_not_count_towards_message_size) {
  ws_reader r{10};
  auto res = feed(r, client_frame(op_ping, binary_payload(100))
                       + client_frame(op_close, close_body(1000, text_payload(50))));
  ASSERT_TRUE(res.result);
  EXPECT_EQ(res.events.size(), 2u);
}

TEST(ws_reader, rejects_invalid_utf8_text_message) {
  EXPECT_EQ(error_of(client_frame(op_text, "abc\xC0\x80")), errc::ws_invalid_utf8);
  EXPECT_EQ(error_of(client_frame(op_text, "\xED\xA0\x80")), errc::ws_invalid_utf8);
  // A fragmented message ending in the middle of a code point.
  auto cut = client_frame(op_text, "ab\xE2\x82", {.fin = false}) + client_frame(op_cont, "");
  EXPECT_EQ(error_of(cut), errc::ws_invalid_utf8);
}

TEST(ws_reader, accepts_text_split_across_fragments_at_code_point_boundary) {
  auto data = client_frame(op_text, "caf\xC3\xA9", {.fin = false})
              + client_frame(op_cont, "\xE2\x82\xAC", {.fin = false})
              + client_frame(op_cont, "\xF0\x9F\x98\x80");
  ws_reader r{default_max};
  auto res = feed(r, data);
  ASSERT_TRUE(res.result);
  ASSERT_EQ(res.events.size(), 1u);
  EXPECT_EQ(res.events[0].payload, "caf\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(ws_reader, accepts_text_split_inside_code_point) {
  auto data = client_frame(op_text, "caf\xC3", {.fin = false})
              + client_frame(op_cont, "\xA9\xE2", {.fin = false})
              + client_frame(op_ping, "")
              + client_frame(op_cont, "\x82\xAC\xF0\x9F", {.fin = false})
              + client_frame(op_cont, "\x98\x80");
  ws_reader r{default_max};
  auto res = feed(r, data);
  ASSERT_TRUE(res.result);
  ASSERT_EQ(res.events.size(), 2u);
  EXPECT_EQ(res.events[1].payload, "caf\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(ws_reader, does_not_check_binary_messages_for_utf8) {
  ws_reader r{default_max};
  auto res = feed(r, client_frame(op_binary, "\xC0\x80\xFF\xED\xA0\x80"));
  ASSERT_TRUE(res.result);
  ASSERT_EQ(res.events.size(), 1u);
  EXPECT_EQ(res.events[0].type, kind::binary);
}

TEST(ws_reader, does_not_check_ping_payloads_for_utf8) {
  ws_reader r{default_max};
  auto res = feed(r, client_frame(op_ping, "\xFF"));
  ASSERT_TRUE(res.result);
  EXPECT_EQ(res.events.size(), 1u);
}

TEST(ws_reader, reports_1005_for_close_without_body) {
  ws_reader r{default_max};
  auto res = feed(r, client_frame(op_close, ""));
  ASSERT_TRUE(res.result);
  ASSERT_EQ(res.events.size(), 1u);
  EXPECT_EQ(res.events[0].type, kind::close);
  EXPECT_EQ(res.events[0].close_code, 1005);
  EXPECT_EQ(res.events[0].payload, "");
}

TEST(ws_reader, decodes_close_code_and_reason) {
  ws_reader r{default_max};
  auto res = feed(r, client_frame(op_close, close_body(4001, "bye \xC3\xA9")));
  ASSERT_TRUE(res.result);
  ASSERT_EQ(res.events.size(), 1u);
  EXPECT_EQ(res.events[0].type, kind::close);
  EXPECT_EQ(res.events[0].close_code, 4001);
  EXPECT_EQ(res.events[0].payload, "bye \xC3\xA9");
}

TEST(ws_reader, accepts_valid_close_codes) {
  for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012,
                             1013, 1014, 3000, 3999, 4000, 4999}) {
    ws_reader r{default_max};
    auto res = feed(r, client_frame(op_close, close_body(code)));
    ASSERT_TRUE(res.result) << code;
    ASSERT_EQ(res.events.size(), 1u);
    EXPECT_EQ(res.events[0].close_code, code);
  }
}

TEST(ws_reader, rejects_invalid_close_codes) {
  for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000,
                             65535})
    EXPECT_EQ(error_of(client_frame(op_close, close_body(code))), errc::ws_protocol_error)
      << code;
}

TEST(ws_reader, rejects_close_reason_that_is_not_utf8) {
  EXPECT_EQ(error_of(client_frame(op_close, close_body(1000, "bad \xC3"))),
            errc::ws_invalid_utf8);
  EXPECT_EQ(error_of(client_frame(op_close, close_body(1000, "\xFF"))), errc::ws_invalid_utf8);
}

TEST(ws_reader, accepts_close_during_fragmented_message) {
  auto data = client_frame(op_text, "part", {.fin = false})
              + client_frame(op_close, close_body(1001));
  ws_reader r{default_max};
  auto res = feed(r, data);
  ASSERT_TRUE(res.result);
  ASSERT_EQ(res.events.size(), 1u);
  EXPECT_EQ(res.events[0].close_code, 1001);
  EXPECT_EQ(r.buffered(), 4u);
}

TEST(ws_reader, keeps_events_completed_before_error) {
  auto data = client_frame(op_text, "ok") + client_frame(op_ping, "p")
              + client_frame(op_text, "x", {.masked = false});
  ws_reader r{default_max};
  auto res = feed(r, data);
  ASSERT_FALSE(res.result);
  EXPECT_EQ(res.result.error(), errc::ws_protocol_error);
  ASSERT_EQ(res.events.size(), 2u);
  EXPECT_EQ(res.events[0].payload, "ok");
  EXPECT_EQ(res.events[1].type, kind::ping);
}

TEST(ws_reader, repeats_error_on_later_feeds) {
  ws_reader r{10};
  auto res = feed(r, header_only(op_binary, 11, 0));
  ASSERT_FALSE(res.result);
  EXPECT_EQ(res.result.error(), errc::ws_message_too_big);
  res = feed(r, client_frame(op_text, "fine"));
  ASSERT_FALSE(res.result);
  EXPECT_EQ(res.result.error(), errc::ws_message_too_big);
  EXPECT_TRUE(res.events.empty());
}

TEST(ws_reader, accepts_empty_feed) {
  ws_reader r{default_max};
  auto res = feed(r, {});
  ASSERT_TRUE(res.result);
  EXPECT_TRUE(res.events.empty());
  EXPECT_EQ(r.buffered(), 0u);
}
