#pragma once

// base64url (RFC 4648 section 5), the encoding of the three parts of a JWT:
//
//   alphabet  A-Z a-z 0-9 '-' '_'   (62 and 63 are '-' and '_', not '+' and '/')
//   groups    3 bytes -> 4 characters; a final group of 1 or 2 bytes becomes
//             2 or 3 characters, optionally followed by "==" or "=".
//
// The encoder never pads (JWS compact serialisation, RFC 7515 section 2). The
// decoder takes both spellings, as Elixir's `Base.url_decode64(padding: false)`
// and JOSE's decoder in Supabase Realtime do.

#include <optional>
#include <string>
#include <string_view>

namespace rt::protocol {

/// Encodes `bytes` as base64url without padding (RFC 4648 section 5).
/// The result has `ceil(4 * bytes.size() / 3)` characters. Never fails.
std::string base64url_encode(std::string_view bytes);

/// Decodes base64url text; accepts missing or present '=' padding.
///
/// Padding, when present, must complete the last group of four characters
/// ("xx==" or "xxx="). Returns `std::nullopt` for any character outside the
/// alphabet, '=' anywhere else, and impossible lengths (a lone character in the
/// last group). The unused low bits of the last character are ignored, as
/// Supabase's decoders ignore them. The empty string decodes to empty bytes.
std::optional<std::string> base64url_decode(std::string_view text);

} // namespace rt::protocol
