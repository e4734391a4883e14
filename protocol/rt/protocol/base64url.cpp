#include "rt/protocol/base64url.hpp"

#include <array>
#include <cstdint>

namespace rt::protocol {

namespace {

constexpr std::string_view alphabet =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::uint8_t invalid = 0xFF;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> table{};
  table.fill(invalid);
  for (std::size_t i = 0; i < alphabet.size(); ++i)
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  return table;
}

constexpr auto decode_table = make_decode_table();

std::uint8_t sextet(char c) noexcept {
  return decode_table[static_cast<unsigned char>(c)];
}

// Strips valid padding; nullopt if '=' is misplaced or the length is impossible.
std::optional<std::string_view> strip_padding(std::string_view text) {
  if (!text.empty() && text.back() == '=') {
    if (text.size() % 4 != 0)
      return std::nullopt;
    text.remove_suffix(1);
    if (text.back() == '=')
      text.remove_suffix(1);
    if (text.size() % 4 < 2)
      return std::nullopt;
    return text;
  }
  if (text.size() % 4 == 1)
    return std::nullopt;
  return text;
}

} // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.resize((bytes.size() * 4 + 2) / 3);
  auto byte = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i]));
  };
  std::size_t o = 0;
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    auto v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out[o++] = alphabet[v >> 18];
    out[o++] = alphabet[(v >> 12) & 0x3F];
    out[o++] = alphabet[(v >> 6) & 0x3F];
    out[o++] = alphabet[v & 0x3F];
  }
  auto rest = bytes.size() - i;
  if (rest > 0) {
    auto v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out[o++] = alphabet[v >> 18];
    out[o++] = alphabet[(v >> 12) & 0x3F];
    if (rest == 2)
      out[o++] = alphabet[(v >> 6) & 0x3F];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  auto body = strip_padding(text);
  if (!body)
    return std::nullopt;
  std::string out;
  out.resize(body->size() * 3 / 4);
  std::size_t o = 0;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : *body) {
    auto v = sextet(c);
    if (v == invalid)
      return std::nullopt;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

} // namespace rt::protocol
