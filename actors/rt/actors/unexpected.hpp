#pragma once

#include <caf/fwd.hpp>
#include <caf/result.hpp>

namespace rt::actors {

/// Default handler of every rt actor: logs a message nothing matched and drops
/// it (CAF's own default prints to stdout, which the executable reserves).
caf::result<caf::message> drop_unexpected(caf::scheduled_actor* self, caf::message_view& x);

} // namespace rt::actors
