#include "rt/presence/error.hpp"

namespace rt::presence {

std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::already_tracked: return "already tracked";
    case errc::not_tracked: return "not tracked";
    case errc::not_contiguous: return "delta ranges not contiguous";
    case errc::own_replica: return "operation names the local replica";
    case errc::malformed: return "malformed wire data";
  }
  return "unknown error";
}

} // namespace rt::presence
