#pragma once

// Column values to JSON, the way Supabase Realtime sends them in
// `record` / `old_record`: numbers as JSON numbers, booleans as true/false,
// json and jsonb embedded, bytea as bare hex, timestamps as ISO 8601 strings,
// arrays as JSON arrays of converted elements, everything else (text, uuid,
// enums, unknown types) as a JSON string.
//
// Input is the type's text output as pgoutput sends it. Timestamps are read
// as DateStyle ISO writes them; the replication connection has to run with
// DateStyle ISO and TimeZone UTC for the offsets to be the ones Supabase sends.

#include <cstdint>
#include <string>
#include <string_view>

namespace rt::replication {

/// Well-known type OIDs (pg_type.dat).
namespace oid {
inline constexpr std::uint32_t boolean = 16;
inline constexpr std::uint32_t bytea = 17;
inline constexpr std::uint32_t int8 = 20;
inline constexpr std::uint32_t int2 = 21;
inline constexpr std::uint32_t int4 = 23;
inline constexpr std::uint32_t text = 25;
inline constexpr std::uint32_t oid = 26;
inline constexpr std::uint32_t json = 114;
inline constexpr std::uint32_t float4 = 700;
inline constexpr std::uint32_t float8 = 701;
inline constexpr std::uint32_t varchar = 1043;
inline constexpr std::uint32_t date = 1082;
inline constexpr std::uint32_t time = 1083;
inline constexpr std::uint32_t timestamp = 1114;
inline constexpr std::uint32_t timestamptz = 1184;
inline constexpr std::uint32_t timetz = 1266;
inline constexpr std::uint32_t numeric = 1700;
inline constexpr std::uint32_t uuid = 2950;
inline constexpr std::uint32_t jsonb = 3802;
} // namespace oid

/// The element type of a built-in array type, or 0 when `type_oid` is not one.
[[nodiscard]] std::uint32_t array_element_oid(std::uint32_t type_oid) noexcept;

/// Appends the JSON for the text-format value `text` of type `type_oid`.
/// Never fails: text that does not parse as its type (which PostgreSQL would
/// not send) is appended as a JSON string.
void append_value_json(std::string& out, std::uint32_t type_oid, std::string_view text);

/// Appends the array literal `text` (nested, quoted elements, NULL, bounds)
/// as a JSON array of elements of type `element_oid`, each converted as
/// append_value_json does; text that is not an array literal becomes a string.
void append_array_json(std::string& out, std::uint32_t element_oid, std::string_view text);

} // namespace rt::replication
