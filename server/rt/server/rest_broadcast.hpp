#pragma once

// Supabase's REST broadcast endpoints (docs/rest.md): CORS, the token, the
// node's events-per-second budget, the row level security write check of
// private messages (through the authorizer pool) and publishing to pubsub.
// protocol/rest_broadcast.hpp reads and checks the requests. Answers in
// Supabase's order: 400 (body not JSON), 415, 429 (rate), 401, 422, 429
// (batch too large), then 403/422 for a private single message or 202.

#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "rt/actors/endpoint_context.hpp"
#include "rt/protocol/rest_broadcast.hpp"

namespace rt::server {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;

/// The REST broadcast route of a request target, or nullopt for other paths.
std::optional<protocol::rest_route> rest_route_of(std::string_view target);

/// The 413 answer to a REST request whose body exceeds REST_MAX_BODY_BYTES.
http_response rest_body_too_large();

/// Answers `req` (any method) for `route`: calls `reply` exactly once on
/// `executor`'s thread, at once or after permission checks, with a response
/// that has its CORS and rate headers but is not yet prepared. Called on
/// `executor`'s thread. If the endpoint stops while a check is pending,
/// `reply` may be destroyed without being called.
void serve_rest_broadcast(std::shared_ptr<const actors::endpoint_context> ctx, http_request req,
                          protocol::rest_route route, boost::asio::any_io_executor executor,
                          std::function<void(http_response)> reply);

} // namespace rt::server
