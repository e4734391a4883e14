#include "rt/actors/remote_publish.hpp"

#include <spdlog/spdlog.h>

namespace rt::actors {

namespace {

template <class Enum>
std::uint8_t raw(Enum e) {
  return static_cast<std::uint8_t>(e);
}

template <class Enum>
std::optional<Enum> in_range(std::uint8_t v, Enum last) {
  if (v > raw(last))
    return std::nullopt;
  return static_cast<Enum>(v);
}

} // namespace

remote_publish to_remote(const pubsub::broadcast_message& msg) {
  remote_publish r;
  r.topic = msg.topic;
  r.scope = raw(msg.scope);
  r.kind = raw(msg.kind);
  r.event = msg.event;
  r.payload_json = msg.payload_json;
  if (msg.binary) {
    r.has_binary = true;
    r.binary = *msg.binary;
  }
  if (msg.user) {
    r.has_user = true;
    r.user_event = msg.user->user_event;
    r.user_encoding = raw(msg.user->encoding);
    r.user_bytes = msg.user->bytes;
  }
  r.meta_json = msg.meta_json;
  r.message_id = msg.message_id;
  return r;
}

std::optional<pubsub::broadcast_message> from_remote(remote_publish&& r) {
  auto scope = in_range(r.scope, pubsub::topic_scope::private_topic);
  auto kind = in_range(r.kind, pubsub::message_kind::presence);
  auto encoding = in_range(r.user_encoding, protocol::payload_encoding::json);
  if (!scope || !kind || !encoding) {
    spdlog::warn("cluster: a broadcast from another node had an unknown scope, kind or "
                 "encoding; dropped");
    return std::nullopt;
  }
  pubsub::broadcast_message msg;
  msg.topic = std::move(r.topic);
  msg.scope = *scope;
  msg.kind = *kind;
  msg.event = std::move(r.event);
  msg.payload_json = std::move(r.payload_json);
  if (r.has_binary)
    msg.binary = std::move(r.binary);
  if (r.has_user)
    msg.user = protocol::user_broadcast_payload{std::move(r.user_event), *encoding,
                                                std::move(r.user_bytes)};
  msg.meta_json = std::move(r.meta_json);
  msg.message_id = std::move(r.message_id);
  return msg;
}

} // namespace rt::actors
