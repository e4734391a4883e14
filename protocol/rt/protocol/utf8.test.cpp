#include "rt/protocol/utf8.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

using rt::protocol::is_valid_utf8;

namespace {

/// Encodes `cp` with the textbook bit layout (no validity checks), so the test
/// can also produce surrogates.
std::string encode(std::uint32_t cp) {
  std::string s;
  auto put = [&s](std::uint32_t b) { s.push_back(static_cast<char>(b)); };
  if (cp < 0x80) {
    put(cp);
  } else if (cp < 0x800) {
    put(0xC0 | (cp >> 6));
    put(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    put(0xE0 | (cp >> 12));
    put(0x80 | ((cp >> 6) & 0x3F));
    put(0x80 | (cp & 0x3F));
  } else {
    put(0xF0 | (cp >> 18));
    put(0x80 | ((cp >> 12) & 0x3F));
    put(0x80 | ((cp >> 6) & 0x3F));
    put(0x80 | (cp & 0x3F));
  }
  return s;
}

bool is_continuation(unsigned b) {
  return (b & 0xC0) == 0x80;
}

} // namespace

TEST(utf8, accepts_empty_and_ascii) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("a"));
  EXPECT_TRUE(is_valid_utf8(std::string("\0\x7F", 2)));
  EXPECT_TRUE(is_valid_utf8(std::string(1000, 'x')));
}

TEST(utf8, accepts_one_to_four_byte_sequences) {
  EXPECT_TRUE(is_valid_utf8("\xC2\x80"));         // U+0080
  EXPECT_TRUE(is_valid_utf8("\xDF\xBF"));         // U+07FF
  EXPECT_TRUE(is_valid_utf8("\xE0\xA0\x80"));     // U+0800
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));     // U+D7FF
  EXPECT_TRUE(is_valid_utf8("\xEE\x80\x80"));     // U+E000
  EXPECT_TRUE(is_valid_utf8("\xEF\xBF\xBF"));     // U+FFFF
  EXPECT_TRUE(is_valid_utf8("\xF0\x90\x80\x80")); // U+10000
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF")); // U+10FFFF
  EXPECT_TRUE(is_valid_utf8("h\xC3\xA9llo w\xC3\xB6rld \xE2\x82\xAC \xF0\x9F\x98\x80"));
}

TEST(utf8, rejects_overlong_forms) {
  EXPECT_FALSE(is_valid_utf8("\xC0\x80"));
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xE0\x9F\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x8F\xBF\xBF"));
}

TEST(utf8, rejects_surrogates) {
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80")); // U+D800
  EXPECT_FALSE(is_valid_utf8("\xED\xBF\xBF")); // U+DFFF
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\xBD\xED\xB8\x80")); // CESU-8 pair
}

TEST(utf8, rejects_code_points_above_max) {
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xF7\xBF\xBF\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xFE"));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

TEST(utf8, rejects_stray_continuation_bytes) {
  EXPECT_FALSE(is_valid_utf8("\x80"));
  EXPECT_FALSE(is_valid_utf8("\xBF"));
  EXPECT_FALSE(is_valid_utf8("a\x80z"));
  EXPECT_FALSE(is_valid_utf8("\xC3\xA9\xA9"));
}

TEST(utf8, rejects_truncated_sequences_at_end) {
  EXPECT_FALSE(is_valid_utf8("\xC2"));
  EXPECT_FALSE(is_valid_utf8("\xE0\xA0"));
  EXPECT_FALSE(is_valid_utf8("\xE2"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x90\x80"));
  EXPECT_FALSE(is_valid_utf8("\xF4\x8F"));
  EXPECT_FALSE(is_valid_utf8("abcdefgh\xF0\x9F\x98"));
}

TEST(utf8, rejects_truncated_sequences_followed_by_ascii) {
  EXPECT_FALSE(is_valid_utf8("\xC2z"));
  EXPECT_FALSE(is_valid_utf8("\xE0\xA0z"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x90\x80z"));
}

TEST(utf8, finds_bad_byte_at_every_alignment) {
  for (std::size_t len = 1; len <= 40; ++len) {
    for (std::size_t pos = 0; pos < len; ++pos) {
      std::string s(len, 'a');
      s[pos] = '\x80';
      EXPECT_FALSE(is_valid_utf8(s)) << "len " << len << " pos " << pos;
      s[pos] = '\xFF';
      EXPECT_FALSE(is_valid_utf8(s)) << "len " << len << " pos " << pos;
    }
  }
}

TEST(utf8, accepts_multi_byte_at_every_alignment) {
  for (std::size_t pos = 0; pos < 24; ++pos) {
    for (auto seq : {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}) {
      auto s = std::string(pos, 'a') + seq + std::string(17, 'b');
      EXPECT_TRUE(is_valid_utf8(s)) << "pos " << pos;
      s.resize(pos + 1);
      EXPECT_FALSE(is_valid_utf8(s)) << "truncated at pos " << pos;
    }
  }
}

TEST(utf8, accepts_every_scalar_value_and_no_surrogate) {
  for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    ASSERT_EQ(is_valid_utf8(encode(cp)), !surrogate) << std::hex << cp;
  }
}

TEST(utf8, agrees_with_arithmetic_decoding_on_all_two_byte_inputs) {
  for (unsigned b0 = 0; b0 < 256; ++b0) {
    for (unsigned b1 = 0; b1 < 256; ++b1) {
      bool both_ascii = b0 < 0x80 && b1 < 0x80;
      unsigned cp = ((b0 & 0x1F) << 6) | (b1 & 0x3F);
      bool two_byte = (b0 & 0xE0) == 0xC0 && is_continuation(b1) && cp >= 0x80;
      std::string s{static_cast<char>(b0), static_cast<char>(b1)};
      ASSERT_EQ(is_valid_utf8(s), both_ascii || two_byte) << std::hex << b0 << ' ' << b1;
    }
  }
}

TEST(utf8, agrees_with_arithmetic_decoding_on_three_byte_inputs) {
  for (unsigned b0 = 0xE0; b0 <= 0xEF; ++b0) {
    for (unsigned b1 = 0; b1 < 256; ++b1) {
      for (unsigned b2 = 0; b2 < 256; ++b2) {
        unsigned cp = ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F);
        bool expect = is_continuation(b1) && is_continuation(b2) && cp >= 0x800
                      && !(cp >= 0xD800 && cp <= 0xDFFF);
        std::string s{static_cast<char>(b0), static_cast<char>(b1), static_cast<char>(b2)};
        ASSERT_EQ(is_valid_utf8(s), expect) << std::hex << b0 << ' ' << b1 << ' ' << b2;
      }
    }
  }
}

TEST(utf8, agrees_with_arithmetic_decoding_on_four_byte_leads) {
  for (unsigned b0 = 0xF0; b0 <= 0xFF; ++b0) {
    for (unsigned b1 = 0; b1 < 256; ++b1) {
      for (unsigned b3 : {0x41u, 0x80u, 0xBFu, 0xC0u}) {
        unsigned cp = ((b0 & 0x07) << 18) | ((b1 & 0x3F) << 12) | (0x3F << 6) | (b3 & 0x3F);
        bool expect = b0 <= 0xF7 && is_continuation(b1) && is_continuation(b3)
                      && cp >= 0x10000 && cp <= 0x10FFFF;
        std::string s{static_cast<char>(b0), static_cast<char>(b1), '\xBF',
                      static_cast<char>(b3)};
        ASSERT_EQ(is_valid_utf8(s), expect) << std::hex << b0 << ' ' << b1 << ' ' << b3;
      }
    }
  }
}
