#include "rt/protocol/handshake.hpp"

#include <gtest/gtest.h>

#include <string_view>

using rt::protocol::header_lists;
using rt::protocol::valid_websocket_key;
using rt::protocol::websocket_accept;

TEST(websocket_accept, matches_rfc_6455_example) {
  EXPECT_EQ(websocket_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(websocket_accept, differs_for_different_keys) {
  auto a = websocket_accept("AAAAAAAAAAAAAAAAAAAAAA==");
  auto b = websocket_accept("AAAAAAAAAAAAAAAAAAAAAQ==");
  EXPECT_EQ(a.size(), 28u);
  EXPECT_NE(a, b);
}

TEST(valid_websocket_key, accepts_base64_of_16_bytes) {
  for (std::string_view key : {"dGhlIHNhbXBsZSBub25jZQ==", "AAAAAAAAAAAAAAAAAAAAAA==",
                               "x3JJHMbDL1EzLkh9GBhXDw==", "+/+/+/+/+/+/+/+/+/+/+w=="})
    EXPECT_TRUE(valid_websocket_key(key)) << key;
}

TEST(valid_websocket_key, rejects_wrong_length_or_padding) {
  for (std::string_view key : {"", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=",
                               "dGhlIHNhbXBsZSBub25jZQ===", "dGhlIHNhbXBsZSBub25jZQAA",
                               "dGhlIHNhbXBsZSBub25jZQ=A",
                               // 20 bytes, not 16
                               "dGhlIHNhbXBsZSBub25jZSEhISE=",
                               " dGhlIHNhbXBsZSBub25jZQ=="})
    EXPECT_FALSE(valid_websocket_key(key)) << '"' << key << '"';
}

TEST(valid_websocket_key, rejects_characters_outside_base64) {
  for (std::string_view key : {"dGhlIHNhbXBsZSBub25jZ!==", "dGhlIHNhbXBsZSBub25jZ-==",
                               "dGhlIHNhbXBsZSBub25jZ_==", "dGhlIHNhbXBsZSBub2 jZQ==",
                               "dGhlIHNhbXBsZSBub25j=Q=="})
    EXPECT_FALSE(valid_websocket_key(key)) << key;
}

TEST(header_lists, finds_a_single_token_ignoring_case) {
  EXPECT_TRUE(header_lists("Upgrade", "upgrade"));
  EXPECT_TRUE(header_lists("websocket", "WebSocket"));
  EXPECT_TRUE(header_lists("UPGRADE", "Upgrade"));
}

TEST(header_lists, finds_token_among_several_with_spaces_and_tabs) {
  EXPECT_TRUE(header_lists("keep-alive, Upgrade", "upgrade"));
  EXPECT_TRUE(header_lists("keep-alive,Upgrade", "upgrade"));
  EXPECT_TRUE(header_lists("Upgrade , keep-alive", "upgrade"));
  EXPECT_TRUE(header_lists("a,\t upgrade \t,b", "upgrade"));
  EXPECT_TRUE(header_lists(", ,Upgrade,", "upgrade"));
}

TEST(header_lists, requires_a_whole_token) {
  EXPECT_FALSE(header_lists("", "upgrade"));
  EXPECT_FALSE(header_lists("keep-alive", "upgrade"));
  EXPECT_FALSE(header_lists("Upgraded", "upgrade"));
  EXPECT_FALSE(header_lists("no-upgrade", "upgrade"));
  EXPECT_FALSE(header_lists("up grade", "upgrade"));
  EXPECT_FALSE(header_lists("keep-alive upgrade", "upgrade"));
}
