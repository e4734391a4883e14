#pragma once

// Big-endian reads over a byte view, as PostgreSQL's wire formats use them.
// Every read checks the remaining length; a failed read leaves the reader
// failed, so a decoder can read a whole fixed part and check once.

#include <cstdint>
#include <string_view>

namespace rt::replication {

class byte_reader {
public:
  explicit byte_reader(std::string_view bytes) noexcept : bytes_(bytes) {}

  /// False once any read ran past the end.
  [[nodiscard]] bool ok() const noexcept { return ok_; }
  [[nodiscard]] std::size_t remaining() const noexcept { return bytes_.size() - pos_; }
  [[nodiscard]] bool at_end() const noexcept { return pos_ == bytes_.size(); }

  std::uint8_t u8() noexcept { return static_cast<std::uint8_t>(unsigned_be(1)); }
  std::int16_t i16() noexcept { return static_cast<std::int16_t>(unsigned_be(2)); }
  std::int32_t i32() noexcept { return static_cast<std::int32_t>(unsigned_be(4)); }
  std::uint32_t u32() noexcept { return static_cast<std::uint32_t>(unsigned_be(4)); }
  std::int64_t i64() noexcept { return static_cast<std::int64_t>(unsigned_be(8)); }
  std::uint64_t u64() noexcept { return unsigned_be(8); }

  /// The next `n` bytes (empty and failed when fewer remain).
  std::string_view bytes(std::size_t n) noexcept {
    if (!ok_ || remaining() < n) {
      ok_ = false;
      return {};
    }
    auto out = bytes_.substr(pos_, n);
    pos_ += n;
    return out;
  }

  /// A NUL-terminated string, without the NUL.
  std::string_view cstring() noexcept {
    if (!ok_)
      return {};
    auto end = bytes_.find('\0', pos_);
    if (end == std::string_view::npos) {
      ok_ = false;
      return {};
    }
    auto out = bytes_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return out;
  }

  /// Everything not read yet.
  std::string_view rest() noexcept {
    auto out = ok_ ? bytes_.substr(pos_) : std::string_view{};
    pos_ = bytes_.size();
    return out;
  }

private:
  std::uint64_t unsigned_be(std::size_t n) noexcept {
    if (!ok_ || remaining() < n) {
      ok_ = false;
      return 0;
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i)
      v = (v << 8) | static_cast<unsigned char>(bytes_[pos_ + i]);
    pos_ += n;
    return v;
  }

  std::string_view bytes_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

} // namespace rt::replication
