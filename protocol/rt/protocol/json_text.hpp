#pragma once

// Small helpers over JSON *text*: writing escaped strings without building a
// DOM, and finding the exact extent of values inside already-validated JSON
// so payloads and refs can be re-emitted byte for byte.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rt::protocol {

/// Appends `s` (UTF-8) to `out` as a quoted JSON string.
void append_json_string(std::string& out, std::string_view s);

/// Returns `s` as a quoted JSON string.
std::string json_string(std::string_view s);

/// Decodes a JSON string token (with quotes) into its text; nullopt when the
/// token is not a JSON string.
std::optional<std::string> json_unquote(std::string_view token);

/// Exact text of each element of a top-level JSON array.
/// Precondition: `text` is valid JSON. Returns nullopt when it is not an array.
std::optional<std::vector<std::string_view>> json_array_elements(std::string_view text);

/// One member of a top-level JSON object: the raw key token and value text.
struct json_member {
  std::string_view key_token; // with quotes, escapes as written
  std::string_view value;
};

/// Exact text of each member of a top-level JSON object, in order.
/// Precondition: `text` is valid JSON. Returns nullopt when it is not an object.
std::optional<std::vector<json_member>> json_object_members(std::string_view text);

} // namespace rt::protocol
