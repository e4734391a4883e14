#include "marks.hpp"

#include <charconv>

namespace bench {

namespace {

void append_number(std::string& out, std::uint64_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  (void)ec;
  out.append(digits, end);
}

} // namespace

std::string_view marker_of(mark_style style) noexcept {
  return style == mark_style::json ? std::string_view{"{\"s\":"} : std::string_view{"#"};
}

void append_marked_payload(std::string& out, mark_style style, std::uint64_t seq,
                           std::int64_t t_us, std::size_t size) {
  auto start = out.size();
  auto t = static_cast<std::uint64_t>(t_us < 0 ? 0 : t_us);
  if (style == mark_style::json) {
    out += "{\"s\":";
    append_number(out, seq);
    out += ",\"t\":";
    append_number(out, t);
    out += ",\"p\":\"";
    auto used = out.size() - start + 2; // closing quote and brace
    if (used < size)
      out.append(size - used, 'x');
    out += "\"}";
    return;
  }
  out += '#';
  append_number(out, seq);
  out += ',';
  append_number(out, t);
  out += ',';
  auto used = out.size() - start;
  if (used < size)
    out.append(size - used, 'x');
}

} // namespace bench
