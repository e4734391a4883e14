#include "rt/db/session_settings.hpp"

namespace rt::db {

std::string session_options(session_kind kind) {
  std::string out;
  auto add = [&out](std::string_view name, std::string_view value) {
    if (!out.empty())
      out.push_back(' ');
    out.append("-c ").append(name).append("=").append(value);
  };
  for (const auto& s : pinned_settings)
    add(s.name, s.value);
  if (kind == session_kind::regular)
    add("statement_timeout", std::to_string(statement_timeout.count()));
  return out;
}

} // namespace rt::db
