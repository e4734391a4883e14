#pragma once

// How Elixir's inspect/1 prints a binary, for the texts Supabase builds with
// it (error messages naming a kid, a column list, a filter value): a
// printable binary in double quotes with Elixir's escapes, cut after 4096
// characters; any other as its bytes, <<104, 105, 0>>. Pure.

#include <string>
#include <string_view>

namespace rt::protocol {

/// String.printable?(s, 4096): valid UTF-8 of printable code points and the
/// escapable controls (\n, \t, \e, ...).
[[nodiscard]] bool elixir_printable(std::string_view s);

/// A printable binary as Elixir shows it: "a\"b\n\#{x}", with \uXXXX for
/// invisible code points and ` <> ...` after 4096 characters.
[[nodiscard]] std::string elixir_quoted(std::string_view s);

/// inspect/1 of any binary with Elixir's default limits: quoted when
/// printable, else <<1, 255, ...>> with at most 50 bytes.
[[nodiscard]] std::string elixir_inspect_binary(std::string_view s);

} // namespace rt::protocol
