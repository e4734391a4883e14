#pragma once

// Builds big-endian byte strings for the decoder tests.

#include <cstdint>
#include <string>
#include <string_view>

namespace rt::replication::test {

class bytes_builder {
public:
  bytes_builder& u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); return *this; }
  bytes_builder& ch(char v) { out_.push_back(v); return *this; }
  bytes_builder& i16(std::int16_t v) { return be(static_cast<std::uint16_t>(v), 2); }
  bytes_builder& i32(std::int32_t v) { return be(static_cast<std::uint32_t>(v), 4); }
  bytes_builder& u64(std::uint64_t v) { return be(v, 8); }
  bytes_builder& cstr(std::string_view s) { out_.append(s); out_.push_back('\0'); return *this; }
  bytes_builder& raw(std::string_view s) { out_.append(s); return *this; }
  /// A 't' column with `value`.
  bytes_builder& text(std::string_view value) {
    ch('t').i32(static_cast<std::int32_t>(value.size()));
    return raw(value);
  }
  [[nodiscard]] const std::string& str() const { return out_; }

private:
  bytes_builder& be(std::uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i)
      out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  std::string out_;
};

} // namespace rt::replication::test
