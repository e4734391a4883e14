#include "rt/actors/unexpected.hpp"

#include <caf/message_view.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/type_erased_tuple.hpp>
#include <spdlog/spdlog.h>

namespace rt::actors {

caf::result<caf::message> drop_unexpected(caf::scheduled_actor* self, caf::message_view& x) {
  spdlog::warn("{} dropped an unexpected message: {}", self->name(),
               to_string(x.content()));
  return caf::sec::unexpected_message;
}

} // namespace rt::actors
