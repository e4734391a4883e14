#include "rt/protocol/handshake.hpp"

#include <algorithm>
#include <cctype>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "rt/protocol/ascii.hpp"

namespace rt::protocol {

namespace {

constexpr std::string_view websocket_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool is_base64_char(char c) noexcept {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
}

} // namespace

std::string websocket_accept(std::string_view key) {
  std::string input{key};
  input.append(websocket_guid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  unsigned char encoded[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  auto n = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
  return std::string{reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(n)};
}

bool valid_websocket_key(std::string_view key) noexcept {
  // 16 bytes encode to 22 characters plus "==".
  if (key.size() != 24 || key.substr(22) != "==")
    return false;
  return std::all_of(key.begin(), key.begin() + 22, is_base64_char);
}

bool header_lists(std::string_view value, std::string_view token) noexcept {
  while (!value.empty()) {
    auto comma = value.find(',');
    if (iequals(trim(value.substr(0, comma)), token))
      return true;
    if (comma == std::string_view::npos)
      break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

} // namespace rt::protocol
