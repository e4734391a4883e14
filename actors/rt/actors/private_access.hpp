#pragma once

// The permissions of one private realtime channel, as Supabase keeps them:
//   read   asked at the join (broadcast and presence together) and again
//          when the token changes;
//   write  asked on the first broadcast or presence message, kept until the
//          token changes. Messages that arrive meanwhile wait here, in order
//          and bounded (max_waiting); the channel handles them again once the
//          answer is in.
// Questions go to the endpoint's authorizers; answers come back to the
// channel's actor as permission_answer, which classify() matches to the
// question (answers to questions of an older token are stale). While
// messages wait, every later message of the channel waits behind them.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <utility>

#include <caf/actor.hpp>

#include "rt/actors/authorizer.hpp"
#include "rt/actors/endpoint_context.hpp"
#include "rt/db/channel_authorization.hpp"
#include "rt/protocol/message.hpp"

namespace rt::actors {

class private_access {
public:
  /// Messages that may wait for the write permissions.
  static constexpr std::size_t max_waiting = 100;

  /// What an answer is about.
  enum class answer_kind { stale, read, write };

  /// What may be done with a broadcast or presence message now.
  enum class gate { allow, deny, wait };

  /// Access of the channel whose actor is `channel` (where answers go).
  private_access(std::shared_ptr<const endpoint_context> endpoint, caf::actor channel);

  /// Starts over for a new token: forgets the write permissions and makes
  /// answers to earlier questions stale. (No message waits then: a token
  /// change waits behind them, see hold().)
  void reset(db::channel_client client);

  /// Queues `msg` when messages wait for a write answer, so that the
  /// channel's messages are handled in the order they came, each under the
  /// token of its time. True when queued (or dropped: the queue is full).
  bool hold(const protocol::message& msg);

  /// Asks the read permissions; false when there is no authorizer.
  bool ask_read();

  /// Asks the stored broadcasts to replay (answered with replay_answer);
  /// false when there is no authorizer.
  bool ask_replay(std::int64_t since_ms, std::int64_t limit);

  /// Matches `answer` to the question it answers.
  answer_kind classify(const permission_answer& answer) const noexcept;

  /// The read permissions last answered (none before the first answer).
  const db::channel_permissions& reads() const noexcept { return reads_; }
  void set_reads(const db::channel_permissions& reads) { reads_ = reads; }

  /// Whether `msg`, needing write permission for broadcast (or presence when
  /// `presence`), may be handled now. `wait` queues it (and asks when not
  /// asking yet); a full queue denies.
  gate admit(const protocol::message& msg, bool presence);

  /// Records a write answer and hands the messages that waited for it to
  /// `handle`, oldest first (admit() decides them now). A failed check
  /// leaves the permissions unknown: the messages that waited are denied,
  /// the next one asks again.
  template <class Handle>
  void on_write_answer(const permission_answer& answer, Handle&& handle) {
    record_writes(answer);
    auto waiting = std::exchange(waiting_, {});
    for (const auto& msg : waiting)
      handle(msg);
    write_check_failed_ = false;
  }

private:
  void record_writes(const permission_answer& answer);
  std::uint64_t tag(answer_kind kind) const noexcept;
  bool ask(permission_query::access what);
  /// Sends `query` to the next authorizer, its `Answer` going to the channel.
  template <class Answer, class Query>
  bool send_query(Query query);

  std::shared_ptr<const endpoint_context> endpoint_;
  caf::actor channel_;
  db::channel_client client_;
  std::uint64_t generation_ = 0;
  db::channel_permissions reads_;
  std::optional<db::channel_permissions> writes_;
  bool asking_write_ = false;
  /// Set while the messages that waited for a failed check are handled.
  bool write_check_failed_ = false;
  std::deque<protocol::message> waiting_;
};

} // namespace rt::actors
