#include "rt/replication/locale_handle.hpp"

namespace rt::replication::detail {

bool is_c_collation(std::string_view name) noexcept { return name == "C" || name == "POSIX"; }

shared_locale make_locale(int mask, const std::string& name) {
  locale_t l = newlocale(mask, name.c_str(), static_cast<locale_t>(nullptr));
  return l ? std::make_shared<const locale_handle>(l) : nullptr;
}

shared_locale ctype_locale(const std::string& collation) {
  if (!is_c_collation(collation))
    if (auto l = make_locale(LC_CTYPE_MASK, collation))
      return l;
  if (auto l = make_locale(LC_CTYPE_MASK, "C.UTF-8"))
    return l;
  return make_locale(LC_CTYPE_MASK, "C.utf8");
}

} // namespace rt::replication::detail
