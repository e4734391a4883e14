#include "rt/actors/private_access.hpp"

#include <caf/send.hpp>
#include <spdlog/spdlog.h>

namespace rt::actors {

private_access::private_access(std::shared_ptr<const endpoint_context> endpoint)
  : endpoint_(std::move(endpoint)) {}

void private_access::reset(db::channel_client client) {
  client_ = std::move(client);
  ++generation_;
  writes_.reset();
  asking_write_ = false;
  write_check_failed_ = false;
}

bool private_access::hold(const protocol::message& msg) {
  if (waiting_.empty())
    return false;
  if (waiting_.size() < max_waiting)
    waiting_.push_back(msg);
  else
    spdlog::warn("private channel: {} dropped, {} messages wait for permissions", msg.event,
                 waiting_.size());
  return true;
}

std::uint64_t private_access::tag(answer_kind kind) const noexcept {
  return generation_ << 1 | (kind == answer_kind::write ? 1u : 0u);
}

private_access::answer_kind
private_access::classify(const permission_answer& answer) const noexcept {
  if (answer.tag == tag(answer_kind::read))
    return answer_kind::read;
  if (answer.tag == tag(answer_kind::write))
    return answer_kind::write;
  return answer_kind::stale;
}

bool private_access::ask(const caf::actor& channel, permission_query::access what) {
  auto authorizer = endpoint_->next_authorizer();
  if (!authorizer)
    return false;
  permission_query q;
  q.what = what;
  q.client = client_;
  q.which = db::extensions::broadcast_and_presence;
  q.tag = tag(what == permission_query::access::read ? answer_kind::read : answer_kind::write);
  q.reply = [channel](permission_answer a) { caf::anon_send(channel, std::move(a)); };
  caf::anon_send(authorizer, std::move(q));
  return true;
}

bool private_access::ask_read(const caf::actor& channel) {
  return ask(channel, permission_query::access::read);
}

private_access::gate private_access::admit(const caf::actor& channel,
                                           const protocol::message& msg, bool presence) {
  if (writes_) {
    auto allowed = presence ? writes_->presence : writes_->broadcast;
    return allowed.value_or(false) ? gate::allow : gate::deny;
  }
  if (write_check_failed_ || waiting_.size() >= max_waiting)
    return gate::deny;
  if (!asking_write_) {
    if (!ask(channel, permission_query::access::write))
      return gate::deny;
    asking_write_ = true;
  }
  waiting_.push_back(msg);
  return gate::wait;
}

void private_access::record_writes(const permission_answer& answer) {
  asking_write_ = false;
  if (answer.outcome == permission_outcome::answered)
    writes_ = answer.permissions;
  else
    write_check_failed_ = true;
}

} // namespace rt::actors
