#pragma once

// UTF-8 well-formedness (RFC 3629 section 4), as RFC 6455 requires of text
// messages and close reasons. Valid sequences:
//
//   00..7F
//   C2..DF 80..BF
//   E0     A0..BF 80..BF
//   E1..EC 80..BF 80..BF
//   ED     80..9F 80..BF        (excludes the surrogates D800..DFFF)
//   EE..EF 80..BF 80..BF
//   F0     90..BF 80..BF 80..BF
//   F1..F3 80..BF 80..BF 80..BF
//   F4     80..8F 80..BF 80..BF (nothing above U+10FFFF)

#include <string_view>

namespace rt::protocol {

/// True when `s` is well-formed UTF-8 per RFC 3629: no overlong forms, no
/// surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequences.
/// The empty string is valid. Pure; safe to call from any thread.
bool is_valid_utf8(std::string_view s) noexcept;

} // namespace rt::protocol
