#include "rt/actors/private_access.hpp"

#include <caf/send.hpp>
#include <spdlog/spdlog.h>

namespace rt::actors {

private_access::private_access(std::shared_ptr<const endpoint_context> endpoint,
                               caf::actor channel)
  : endpoint_(std::move(endpoint)), channel_(std::move(channel)) {}

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

template <class Answer, class Query>
bool private_access::send_query(Query query) {
  auto authorizer = endpoint_->next_authorizer();
  if (!authorizer)
    return false;
  query.reply = [channel = channel_](Answer a) { caf::anon_send(channel, std::move(a)); };
  caf::anon_send(authorizer, std::move(query));
  return true;
}

bool private_access::ask(permission_query::access what) {
  permission_query q;
  q.what = what;
  q.client = client_;
  q.which = db::extensions::broadcast_and_presence;
  q.tag = tag(what == permission_query::access::read ? answer_kind::read : answer_kind::write);
  return send_query<permission_answer>(std::move(q));
}

bool private_access::ask_read() {
  return ask(permission_query::access::read);
}

bool private_access::ask_replay(std::int64_t since_ms, std::int64_t limit) {
  replay_query q;
  q.topic = client_.topic;
  q.since_ms = since_ms;
  q.limit = limit;
  return send_query<replay_answer>(std::move(q));
}

private_access::gate private_access::admit(const protocol::message& msg, bool presence) {
  if (writes_) {
    auto allowed = presence ? writes_->presence : writes_->broadcast;
    return allowed.value_or(false) ? gate::allow : gate::deny;
  }
  if (write_check_failed_ || waiting_.size() >= max_waiting)
    return gate::deny;
  if (!asking_write_) {
    if (!ask(permission_query::access::write))
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
