#include "tally.hpp"

#include <algorithm>

namespace bench {

void error_tally::note(std::string_view kind, std::string_view text) {
  constexpr std::size_t keep = 10;
  constexpr std::size_t longest = 400;
  if (samples.size() >= keep)
    return;
  std::string entry{kind};
  entry += ": ";
  // Binary protocols (MQTT, kind-N frames) would put raw bytes into the
  // report; keep printable ASCII only.
  for (char ch : text.substr(0, longest)) {
    auto byte = static_cast<unsigned char>(ch);
    entry += (byte >= 0x20 && byte < 0x7F) ? ch : '.';
  }
  // Identical texts (the same refusal for every socket) are kept once.
  if (std::find(samples.begin(), samples.end(), entry) == samples.end())
    samples.push_back(std::move(entry));
}

} // namespace bench
