#pragma once

// PostgreSQL errors worded as Supabase shows them: Exception.message/1 of
// the Postgrex.Error a failed query raises. Pure.

#include <string>
#include <string_view>

#include "rt/db/connection.hpp"

namespace rt::db {

/// PostgreSQL's condition name for `sqlstate` (errcodes.txt), as Postgrex
/// names it: "invalid_text_representation" for "22P02"; "nil" when unknown.
[[nodiscard]] std::string_view condition_name(std::string_view sqlstate);

/// "ERROR 22P02 (invalid_text_representation) invalid input syntax ...",
/// then, when present, the table, column, constraint and hint (one indented
/// "key: value" line each, after a blank line), then the detail after a
/// blank line. An error without SQLSTATE (not reported by the server) is
/// its message alone.
[[nodiscard]] std::string postgrex_message(const db_error& e);

} // namespace rt::db
