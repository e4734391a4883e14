#include <caf/actor_system_config.hpp>

#include "rt/actors/cluster_messages.hpp"

namespace rt::actors {

void add_cluster_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<member_card>("rt.member_card");
  cfg.add_message_type<cluster_hello>("rt.cluster_hello");
  cfg.add_message_type<remote_publish>("rt.remote_publish");
  cfg.add_message_type<tracker_heartbeat>("rt.tracker_heartbeat");
  cfg.add_message_type<tracker_transfer_request>("rt.tracker_transfer_request");
  cfg.add_message_type<tracker_transfer_answer>("rt.tracker_transfer_answer");
  cfg.add_message_type<tracker_goodbye>("rt.tracker_goodbye");
  cfg.add_message_type<remote_changes>("rt.remote_changes");
  cfg.add_message_type<changes_ack>("rt.changes_ack");
}

} // namespace rt::actors
