#include "rt/protocol/vsn.hpp"

#include <charconv>

namespace rt::protocol {

namespace {

// Parses one dot-separated numeric identifier without leading zeros.
bool read_number(std::string_view& s, unsigned& out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
    return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc{} || end == s.data())
    return false;
  s.remove_prefix(static_cast<std::size_t>(end - s.data()));
  return true;
}

bool read_dot(std::string_view& s) {
  if (s.empty() || s[0] != '.')
    return false;
  s.remove_prefix(1);
  return true;
}

} // namespace

std::optional<vsn> negotiate_vsn(std::optional<std::string_view> query_value) {
  if (!query_value)
    return vsn::v1;
  auto s = *query_value;
  unsigned major = 0, minor = 0, patch = 0;
  if (!read_number(s, major) || !read_dot(s) || !read_number(s, minor)
      || !read_dot(s) || !read_number(s, patch))
    return std::nullopt;
  // Build metadata (+...) does not affect matching; a pre-release (-...) does.
  if (!s.empty() && (s[0] != '+' || s.size() == 1))
    return std::nullopt;
  if (minor != 0)
    return std::nullopt;
  if (major == 1)
    return vsn::v1;
  if (major == 2)
    return vsn::v2;
  return std::nullopt;
}

} // namespace rt::protocol
