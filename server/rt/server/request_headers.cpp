#include "rt/server/request_headers.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "rt/protocol/ascii.hpp"
#include "rt/protocol/utf8.hpp"

namespace rt::server {

std::string headers_json(const boost::beast::http::request<boost::beast::http::string_body>& req,
                         header_selection which) {
  boost::json::object out;
  for (const auto& field : req) {
    std::string name{field.name_string()};
    for (auto& c : name)
      c = protocol::ascii_lower(c);
    if (which == header_selection::x_headers && name.rfind("x-", 0) != 0)
      continue;
    // PostgreSQL refuses text that is not UTF-8; such a header is left out.
    if (!protocol::is_valid_utf8(field.value()))
      continue;
    out[name] = std::string_view{field.value()};
  }
  return boost::json::serialize(out);
}

} // namespace rt::server
