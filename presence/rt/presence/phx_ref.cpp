#include "rt/presence/phx_ref.hpp"

#include "rt/protocol/base64url.hpp"

namespace rt::presence {

namespace {

void append_big_endian(std::string& out, std::uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((value >> shift) & 0xFFu));
}

} // namespace

std::string phx_ref_source::next(std::uint64_t unix_ns) {
  std::string bytes;
  bytes.reserve(12);
  append_big_endian(bytes, unix_ns, 8);
  append_big_endian(bytes, replica_hash_, 2);
  append_big_endian(bytes, counter_++, 2);
  return protocol::base64url_encode(bytes);
}

} // namespace rt::presence
