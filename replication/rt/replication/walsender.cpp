#include "rt/replication/walsender.hpp"

#include <cstdio>

#include "rt/replication/byte_reader.hpp"

namespace rt::replication {

namespace {

void put_be64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

expected<walsender_message> decode_xlog_data(byte_reader& in) {
  xlog_data d;
  d.start = in.u64();
  d.wal_end = in.u64();
  d.send_time = in.i64();
  if (!in.ok())
    return tl::unexpected(errc::truncated);
  d.payload = in.rest();
  return d;
}

expected<walsender_message> decode_keepalive(byte_reader& in) {
  primary_keepalive k;
  k.wal_end = in.u64();
  k.send_time = in.i64();
  k.reply_requested = in.u8() != 0;
  if (!in.ok())
    return tl::unexpected(errc::truncated);
  if (!in.at_end())
    return tl::unexpected(errc::trailing_bytes);
  return k;
}

} // namespace

expected<walsender_message> decode_walsender(std::string_view copy_data) {
  byte_reader in{copy_data};
  auto type = in.u8();
  if (!in.ok())
    return tl::unexpected(errc::truncated);
  switch (type) {
    case 'w': return decode_xlog_data(in);
    case 'k': return decode_keepalive(in);
    default: return tl::unexpected(errc::unknown_message);
  }
}

std::string encode_standby_status(lsn written, lsn flushed, lsn applied,
                                  std::int64_t client_time, bool reply_requested) {
  std::string out;
  out.reserve(34);
  out.push_back('r');
  put_be64(out, written);
  put_be64(out, flushed);
  put_be64(out, applied);
  put_be64(out, static_cast<std::uint64_t>(client_time));
  out.push_back(reply_requested ? 1 : 0);
  return out;
}

std::string format_lsn(lsn position) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%X/%X", static_cast<unsigned>(position >> 32),
                static_cast<unsigned>(position & 0xffffffffu));
  return buf;
}

} // namespace rt::replication
