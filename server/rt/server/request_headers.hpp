#pragma once

// The request headers that private channels' policies see as
// `request.headers` (a JSON object, names in lower case): a WebSocket's
// `x-*` headers, or every header of a REST request, as Supabase passes them.

#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace rt::server {

/// Which headers headers_json() keeps.
enum class header_selection { x_headers, all };

/// The headers of `req` as a JSON object text. A name given more than once
/// keeps its last value; a value that is not UTF-8 is left out.
std::string headers_json(const boost::beast::http::request<boost::beast::http::string_body>& req,
                         header_selection which);

} // namespace rt::server
