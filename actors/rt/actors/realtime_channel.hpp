#pragma once

// Supabase Realtime's channel for `realtime:<sub_topic>` topics:
//   join     - parses config (broadcast self/ack, presence, private,
//              postgres_changes), verifies the channel's token (the join's
//              access_token, else the socket's), asks a private channel's
//              read permissions (private_access.hpp; the join waits for the
//              answer, and needs broadcast or presence read), replies
//              {"postgres_changes": [<each binding as sent, plus "id">]};
//   after the join reply - subscribes the bindings at the node's
//              replication_slot, which sends "Subscribed to PostgreSQL" (or
//              the refusal) as a system message;
//   broadcast - fans the payload out to the topic, honouring self and ack and
//              the payload size limit; on a private channel only with write
//              permission (asked on the first one; denied ones are dropped
//              without a reply, as Supabase does);
//   replay   - a private join with config.broadcast.replay gets the topic's
//              stored broadcasts (db/message_replay.hpp) right after its
//              reply, with meta {"id", "replayed": true}; live copies of them
//              are not delivered again;
//   presence - track and untrack (channel_presence.hpp); presence_state is
//              pushed after the join reply when presence is enabled;
//   access_token - re-verifies a refreshed token; a bad one ends the channel
//              with a system error; a private channel's permissions are asked
//              again, and a read the new token lost ends the channel;
//   token expiry - checked at min(5 min, exp - now); an expired token ends the
//              channel with a system error (the socket stays open).

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "rt/actors/channel_presence.hpp"
#include "rt/actors/private_access.hpp"
#include "rt/actors/endpoint_context.hpp"
#include "rt/channel.hpp"
#include "rt/protocol/join_config.hpp"
#include "rt/replication/binding.hpp"

namespace rt::actors {

class realtime_channel final : public channel_handler {
public:
  explicit realtime_channel(std::shared_ptr<const endpoint_context> ctx);

  join_result join(channel_context& ctx, const join_request& request) override;
  void handle_in(channel_context& ctx, const protocol::message& msg) override;
  void on_timer(channel_context& ctx, std::uint64_t timer_id) override;
  /// Pushes presence_state when presence is enabled, and subscribes the
  /// postgres_changes bindings (or reports why it cannot).
  void after_join(channel_context& ctx) override;
  /// Permission answers for a private channel.
  void handle_info(channel_context& ctx, const caf::message& msg) override;

private:
  /// The client a private channel's policies are asked about.
  db::channel_client policy_client(channel_context& ctx) const;
  void on_read_answer(channel_context& ctx, const permission_answer& answer);
  void finish_private_join(channel_context& ctx, const permission_answer& answer);
  void on_reads_changed(channel_context& ctx, const db::channel_permissions& now);
  void finish_replay(channel_context& ctx, const replay_answer& answer);
  /// Whether a private channel may handle `msg` now (false: dropped or waiting).
  bool admit_broadcast(const protocol::message& msg);
  /// As admit_broadcast for presence; tells presence_ whether it may track.
  bool admit_presence(const protocol::message& msg);
  void handle_broadcast(channel_context& ctx, const protocol::message& msg);
  void handle_access_token(channel_context& ctx, const protocol::message& msg);
  void subscribe_changes(channel_context& ctx);
  /// Verifies `token_`; on success schedules the next check.
  std::optional<protocol::jwt_failure> confirm_token(channel_context& ctx);
  void shutdown_with(channel_context& ctx, std::string_view message);
  void publish(channel_context& ctx, const protocol::message& msg);
  /// Parses config_.postgres_changes; returns the join reply's response.
  std::string read_bindings();

  std::shared_ptr<const endpoint_context> endpoint_;
  protocol::join_config config_;
  std::string sub_topic_;
  std::string token_;
  std::uint64_t token_generation_ = 0;
  /// The token's role: whose privileges decide which changes it sees.
  std::string role_;
  /// The token's claims.
  boost::json::object claims_;
  /// Set on private channels.
  std::optional<private_access> private_;
  /// A private join's answer while its read permissions are asked.
  std::optional<join_result> pending_join_;
  std::vector<replication::binding> bindings_;
  /// Why the bindings cannot be subscribed (the first refusal), if so.
  std::string binding_error_;
  /// Set once the join's config is read.
  std::optional<channel_presence> presence_;
};

/// The route serving `realtime:*` with realtime_channel.
channel_route realtime_route(std::shared_ptr<const endpoint_context> ctx);

} // namespace rt::actors
