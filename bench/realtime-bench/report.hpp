#pragma once

// Output of a run: the result object as pretty JSON, one markdown table row,
// and a short summary on stdout.

#include <string>

#include "options.hpp"
#include "result.hpp"

namespace bench {

/// The whole result, parameters included, as a pretty JSON document.
[[nodiscard]] std::string result_json(const bench_options& opts, const run_result& r);

/// Writes `result_json` to `path`; false (with `error` set) when it cannot.
bool write_json(const std::string& path, const bench_options& opts, const run_result& r,
                std::string& error);

/// Appends one row to the markdown table in `path`, writing the header first
/// when the file is new or empty; false (with `error` set) when it cannot.
bool append_markdown(const std::string& path, const bench_options& opts, const run_result& r,
                     std::string& error);

/// A few human-readable lines for the terminal.
[[nodiscard]] std::string summary_text(const bench_options& opts, const run_result& r);

} // namespace bench
