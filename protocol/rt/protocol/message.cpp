#include "rt/protocol/message.hpp"

#include "rt/protocol/json_text.hpp"

namespace rt::protocol {

ref_value ref_value::from_string(std::string_view text) {
  ref_value r;
  if (!text.empty())
    r.json_ = json_string(text);
  return r;
}

std::string ref_value::text() const {
  if (is_null())
    return {};
  if (auto unquoted = json_unquote(json_))
    return std::move(*unquoted);
  return json_;
}

} // namespace rt::protocol
