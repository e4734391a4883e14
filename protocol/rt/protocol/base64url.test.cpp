#include "rt/protocol/base64url.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rt::protocol {
namespace {

// RFC 4648 section 10 vectors, without padding.
TEST(base64url, encodes_rfc4648_vectors_without_padding) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
}

TEST(base64url, uses_url_alphabet) {
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_encode("\xff\xff\xff"), "____");
  EXPECT_EQ(base64url_decode("-_8"), std::string("\xfb\xff"));
}

TEST(base64url, decodes_unpadded_and_padded_text) {
  EXPECT_EQ(base64url_decode(""), std::string());
  EXPECT_EQ(base64url_decode("Zg"), "f");
  EXPECT_EQ(base64url_decode("Zg=="), "f");
  EXPECT_EQ(base64url_decode("Zm8"), "fo");
  EXPECT_EQ(base64url_decode("Zm8="), "fo");
  EXPECT_EQ(base64url_decode("Zm9v"), "foo");
  EXPECT_EQ(base64url_decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(base64url_decode("Zm9vYmFy"), "foobar");
}

TEST(base64url, rejects_characters_outside_the_url_alphabet) {
  EXPECT_FALSE(base64url_decode("Zm9+"));
  EXPECT_FALSE(base64url_decode("Zm9/"));
  EXPECT_FALSE(base64url_decode("Zm 9"));
  EXPECT_FALSE(base64url_decode("Zm9v\n"));
  EXPECT_FALSE(base64url_decode("Zm.v"));
  EXPECT_FALSE(base64url_decode(std::string_view("Zm\0v", 4)));
  EXPECT_FALSE(base64url_decode("Zm9\xc3"));
}

TEST(base64url, rejects_impossible_lengths) {
  EXPECT_FALSE(base64url_decode("Z"));
  EXPECT_FALSE(base64url_decode("Zm9vY"));
  EXPECT_FALSE(base64url_decode("Z==="));
}

TEST(base64url, rejects_misplaced_or_incomplete_padding) {
  EXPECT_FALSE(base64url_decode("="));
  EXPECT_FALSE(base64url_decode("=="));
  EXPECT_FALSE(base64url_decode("===="));
  EXPECT_FALSE(base64url_decode("Zg="));
  EXPECT_FALSE(base64url_decode("Zg==="));
  EXPECT_FALSE(base64url_decode("Zm9v===="));
  EXPECT_FALSE(base64url_decode("Zg==Zg=="));
  EXPECT_FALSE(base64url_decode("Z=9v"));
  EXPECT_FALSE(base64url_decode("Zm9v="));
}

// Elixir's Base and JOSE both drop the spare low bits of the last character.
TEST(base64url, ignores_spare_bits_of_the_last_character) {
  EXPECT_EQ(base64url_decode("Zh"), "f");
  EXPECT_EQ(base64url_decode("Zm9="), "fo");
}

TEST(base64url, round_trips_every_length_and_byte) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    auto decoded = base64url_decode(base64url_encode(bytes));
    ASSERT_TRUE(decoded);
    ASSERT_EQ(*decoded, bytes);
    bytes.push_back(static_cast<char>((i * 37 + 11) & 0xFF));
  }
}

} // namespace
} // namespace rt::protocol
