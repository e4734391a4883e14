#pragma once

// The sequence number and send time that every published message carries, and
// how a receiver finds them without parsing the message:
//
//   json style (realtime target)  {"s":<seq>,"t":<t_us>,"p":"xxx..."}
//                                 (also the meta of a presence track)
//   text style (peer targets)     #<seq>,<t_us>,xxx...
//
// `t_us` is `now_us()` at publish time. Receivers scan for the marker
// (`{"s":` or `#`), read the digits after it, skip the separator, and read the
// digits of the time. A message may carry several marks (coalesced by a peer).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace bench {

/// How a mark is spelled in a payload.
enum class mark_style : std::uint8_t {
  json, ///< a JSON object {"s":..,"t":..,"p":".."}
  text, ///< a string "#seq,t,xxx"
};

/// The marker a receiver scans for.
[[nodiscard]] std::string_view marker_of(mark_style style) noexcept;

/// Appends a marked payload padded with 'x' so that it is about `size` bytes
/// long (never shorter than the mark itself).
void append_marked_payload(std::string& out, mark_style style, std::uint64_t seq,
                           std::int64_t t_us, std::size_t size);

namespace detail {

inline std::uint64_t read_digits(std::string_view text, std::size_t& pos) noexcept {
  std::uint64_t value = 0;
  while (pos < text.size()) {
    unsigned digit = static_cast<unsigned char>(text[pos]) - '0';
    if (digit > 9)
      break;
    value = value * 10 + digit;
    ++pos;
  }
  return value;
}

} // namespace detail

/// Calls `sink(seq, t_us)` for every mark in `text`; returns how many it found.
/// Hot path: no allocation, one forward scan.
template <class Sink>
std::size_t scan_marks(std::string_view text, std::string_view marker, Sink&& sink) {
  std::size_t found = 0;
  std::size_t pos = text.find(marker);
  while (pos != std::string_view::npos) {
    pos += marker.size();
    auto seq = detail::read_digits(text, pos);
    // Separator: "," (text style) or ",\"t\":" (json style).
    auto stop = pos + 6 < text.size() ? pos + 6 : text.size();
    while (pos < stop && static_cast<unsigned>(static_cast<unsigned char>(text[pos]) - '0') > 9)
      ++pos;
    auto t_us = detail::read_digits(text, pos);
    sink(seq, static_cast<std::int64_t>(t_us));
    ++found;
    pos = text.find(marker, pos);
  }
  return found;
}

/// The marks in the joins of a presence_diff payload
/// {"joins":{K:{"metas":[{..,"t":<t_us>,..}]}},"leaves":{..}}: calls
/// `sink(t_us)` for every `"t":` member between `"joins":` and `"leaves":`
/// (the leaves carry the metas that were replaced or removed, with their old
/// times). Returns how many it found. Hot path: two finds and a scan.
template <class Sink>
std::size_t scan_presence_joins(std::string_view text, Sink&& sink) {
  constexpr std::string_view joins_key = "\"joins\":";
  constexpr std::string_view leaves_key = "\"leaves\":";
  constexpr std::string_view time_key = "\"t\":";
  auto joins = text.find(joins_key);
  if (joins == std::string_view::npos)
    return 0;
  auto leaves = text.find(leaves_key, joins);
  auto section = text.substr(0, leaves == std::string_view::npos ? text.size() : leaves);
  std::size_t found = 0;
  auto pos = section.find(time_key, joins + joins_key.size());
  while (pos != std::string_view::npos) {
    pos += time_key.size();
    auto t_us = detail::read_digits(section, pos);
    sink(static_cast<std::int64_t>(t_us));
    ++found;
    pos = section.find(time_key, pos);
  }
  return found;
}

} // namespace bench
