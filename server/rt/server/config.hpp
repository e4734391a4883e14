#pragma once

// Command line and environment for the `realtime` executable. Every option has
// a flag and, where Supabase Realtime has one, its environment variable; a
// flag wins over the environment, which wins over the default in
// endpoint_config.

#include <string>
#include <string_view>
#include <vector>

#include <CLI/App.hpp>
#include <tl/expected.hpp>

#include "rt/endpoint_config.hpp"

namespace rt::server {

/// Options that are about the process rather than the endpoint.
struct process_options {
  /// LOG_LEVEL: trace, debug, info, warn, error, critical, off.
  std::string log_level = "info";
  /// JWT_CLAIM_VALIDATORS as given (JSON object text).
  std::string claim_validators_json = "{}";
  /// API_JWT_JWKS as given (JSON text), or empty.
  std::string jwks_json;
  /// API_JWT_JWKS_FILE: a file holding the JWKS, or empty.
  std::string jwks_file;
  /// CLUSTER_SEEDS as given: host:port,... (IPv6 hosts in brackets).
  std::string cluster_seeds;
};

/// Parses CLUSTER_SEEDS: comma-separated host:port entries, blanks around
/// them ignored, IPv6 hosts written [addr]:port. Returns a message on error.
tl::expected<std::vector<cluster_address>, std::string> parse_cluster_seeds(std::string_view text);

/// Declares the serving options on `app`, writing into `cfg` and `proc`.
void add_serve_options(CLI::App& app, endpoint_config& cfg, process_options& proc);

/// Completes `cfg` after parsing: secret aliases, claim validators, sanity
/// checks. Returns a message for the user on error.
tl::expected<void, std::string> finish_config(endpoint_config& cfg, const process_options& proc);

} // namespace rt::server
