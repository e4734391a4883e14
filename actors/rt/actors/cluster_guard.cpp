#include "rt/actors/cluster_guard.hpp"

#include <algorithm>

#include <caf/exit_reason.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/system_messages.hpp>
#include <spdlog/spdlog.h>

namespace rt::actors {

bool from_cluster(caf::scheduled_actor* self, const std::vector<caf::actor>& peers) {
  const auto& sender = self->current_sender();
  if (!sender)
    return false;
  auto node = sender->node();
  return node == self->node()
         || std::any_of(peers.begin(), peers.end(),
                        [&node](const caf::actor& p) { return p && p.node() == node; });
}

void ignore_remote_exits(caf::scheduled_actor* self) {
  self->set_exit_handler([self](caf::exit_msg& em) {
    if (em.source && em.source.node() != self->node()) {
      spdlog::warn("{} ignored an exit message from another node", self->name());
      return;
    }
    if (em.reason != caf::exit_reason::normal)
      self->quit(em.reason);
  });
}

} // namespace rt::actors
