#include "rt/actors/wal_reader.hpp"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>

#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "rt/actors/changes_messages.hpp"
#include "rt/actors/slot_upkeep.hpp"
#include "rt/db/wal_stream.hpp"
#include "rt/replication/change_stream.hpp"

namespace rt::actors {

namespace {

using clock_type = std::chrono::steady_clock;
using replication::lsn;

// A batch is handed over at this size even while more can be read.
constexpr std::size_t batch_bytes = 256u << 10;
constexpr std::size_t batch_changes = 1024;

// Least time between two status updates sent because the position moved:
// each confirmation that moves the slot makes the walsender save it.
constexpr std::chrono::milliseconds eager_status_gap{500};
// How often an idle reader looks whether the confirmable position moved.
constexpr std::chrono::milliseconds position_check{250};
// How long a batch waits for more changes before it is handed over.
constexpr std::chrono::milliseconds batch_delay{1};

// How one streaming session ended.
enum class session_end { stopped, failed, recreate_slot };

class reader_loop {
public:
  reader_loop(db::database_config cfg, wal_reader_settings settings, caf::actor slot,
              std::shared_ptr<reader_link> link, std::shared_ptr<replication_metrics> metrics)
    : cfg_(cfg), settings_(settings), slot_(std::move(slot)), link_(std::move(link)),
      metrics_(metrics), upkeep_(std::move(cfg), settings_, std::move(metrics)),
      stream_([this](const replication::relation_message& r) { return upkeep_.relation_facts(r); },
              settings_.max_record_bytes),
      backoff_(settings_.min_backoff) {
    // Payloads of tables nobody watches would be built for nothing; a route
    // that appears meanwhile gets its payload built by the actor.
    stream_.build_data_for([link = link_](std::uint32_t relid) { return link->watches(relid); });
  }

  void run() {
    while (!link_->stop.load()) {
      if (!link_->stream_wanted.load()) {
        watch_slot();
        continue;
      }
      if (!open_session())
        continue;
      auto started = clock_type::now();
      auto end = stream_session();
      wal_.reset();
      if (end == session_end::stopped)
        break;
      if (end == session_end::recreate_slot) {
        recreated_ = upkeep_.drop_slot(link_->stop);
        continue;
      }
      notify(stream_event::kind::down, last_error_);
      announced_down_ = true;
      // A session that failed soon after it opened waits like a failed
      // open, or a stream that breaks at once would reconnect in a loop.
      if (clock_type::now() - started >= settings_.max_backoff)
        backoff_ = settings_.min_backoff;
      wait_backoff();
    }
  }

private:
  // -- sessions -------------------------------------------------------------------

  // Before the first subscription: no stream, only the WAL guard.
  void watch_slot() {
    if (auto up = upkeep_.connect(); !up) {
      spdlog::log(quiet_ ? spdlog::level::debug : spdlog::level::warn,
                  "replication: cannot reach the database: {}", up.error());
      quiet_ = true;
      wait_backoff();
      return;
    }
    quiet_ = false;
    backoff_ = settings_.min_backoff;
    if (upkeep_.check_due() && upkeep_.retains_too_much())
      recreated_ = upkeep_.drop_slot(link_->stop);
    wait_for(position_check);
  }

  bool open_session() {
    auto opened = try_open();
    if (!opened && link_->stop.load())
      return false; // interrupted on purpose
    if (!opened && opened.error().sqlstate == db::sqlstate_object_in_use) {
      stand_by(opened.error().message);
      return false;
    }
    if (!opened) {
      if (!announced_down_)
        notify(stream_event::kind::down, opened.error().message);
      announced_down_ = true;
      standing_by_ = false;
      spdlog::warn("replication: cannot stream slot {}: {}; retrying in {} ms", cfg_.slot_name,
                   opened.error().message, backoff_.count());
      wait_backoff();
      return false;
    }
    announced_down_ = false;
    standing_by_ = false;
    caf::anon_send(slot_, stream_event{recreated_ ? stream_event::kind::slot_recreated
                                                  : stream_event::kind::up,
                                       {}, wal_->start_position()});
    recreated_ = false;
    streamed_ = true;
    return true;
  }

  // Another process streams the slot (in a cluster, another node: it
  // forwards the changes). PostgreSQL lets one session stream a slot at a
  // time, so trying again soon is how this node takes over when that
  // session ends.
  void stand_by(const std::string& why) {
    if (!standing_by_) {
      spdlog::info("replication: {}; standing by", why);
      notify(stream_event::kind::standby, why);
    }
    standing_by_ = true;
    announced_down_ = false;
    backoff_ = settings_.min_backoff;
    wait_for(settings_.standby_retry);
  }

  tl::expected<void, db::db_error> try_open() {
    if (auto up = upkeep_.connect(); !up)
      return tl::unexpected{db::db_error{{}, up.error()}};
    if (auto published = upkeep_.ensure_publication(); !published)
      return tl::unexpected{db::db_error{{}, published.error()}};
    bool created = false;
    auto s = db::wal_stream::open(cfg_, &created, &link_->interrupt);
    if (!s)
      return tl::unexpected{std::move(s.error())};
    if (created && streamed_ && !recreated_) {
      // Dropped behind our back: what was committed meanwhile is gone.
      spdlog::error("replication: slot {} had disappeared and was created anew; changes "
                    "committed since it was dropped are not delivered",
                    cfg_.slot_name);
      recreated_ = true;
    } else if (created) {
      spdlog::info("replication: created slot {}", cfg_.slot_name);
    }
    wal_ = std::make_unique<db::wal_stream>(std::move(*s));
    upkeep_.check_soon();
    // A transaction sent again after a reconnect was handed on already.
    stream_.skip_through(stream_.last_commit());
    keepalive_end_ = 0;
    next_status_ = clock_type::now();
    spdlog::info("replication: streaming slot {} of publication {}", cfg_.slot_name,
                 cfg_.publication);
    return {};
  }

  session_end stream_session() {
    while (!link_->stop.load()) {
      if (!read_available())
        return session_end::failed;
      if (batch_due())
        hand_over();
      if (!report_position())
        return session_end::failed;
      if (upkeep_.check_due() && upkeep_.retains_too_much())
        return session_end::recreate_slot;
      wait_for_io();
    }
    confirm_before_stopping();
    return session_end::stopped;
  }

  // A clean stop confirms what was handed on, so the next start does not
  // send it again. Bounded: the server is shutting down.
  void confirm_before_stopping() {
    auto position = position_to_confirm();
    if (!wal_->send_status(position, false))
      return;
    for (int i = 0; i < 50 && wal_->wants_write(); ++i) {
      pollfd fd{wal_->socket(), POLLOUT, 0};
      ::poll(&fd, 1, 10);
      if (!wal_->flush())
        return;
    }
    if (wal_->wants_write())
      return;
    link_->confirmed.store(position);
    metrics_->confirmed_lsn.store(position);
    spdlog::info("replication: confirmed {} before stopping", replication::format_lsn(position));
  }

  // Reads what arrived, unless the actor has too much to handle already.
  bool read_available() {
    while (link_->pending_bytes.load() + batch_.bytes < settings_.max_pending_bytes) {
      auto next = wal_->next();
      if (!next) {
        last_error_ = next.error().message;
        return false;
      }
      if (!*next)
        return true;
      if (!handle(**next))
        return false;
      if (batch_.bytes >= batch_bytes || batch_.changes.size() >= batch_changes)
        hand_over();
    }
    return true;
  }

  bool handle(std::string_view copy_data) {
    auto msg = replication::decode_walsender(copy_data);
    if (!msg) {
      last_error_ = "malformed replication message";
      return false;
    }
    if (auto* k = std::get_if<replication::primary_keepalive>(&*msg)) {
      keepalive_end_ = std::max(keepalive_end_, k->wal_end);
      if (k->reply_requested)
        next_status_ = clock_type::now();
      return true;
    }
    auto& x = std::get<replication::xlog_data>(*msg);
    replication::stream_output out;
    if (auto fed = stream_.feed(x.payload, out); !fed) {
      last_error_ = "malformed pgoutput message";
      return false;
    }
    if (batch_empty() && (!out.changes.empty() || out.committed))
      batch_started_ = clock_type::now();
    for (auto& c : out.changes) {
      batch_.bytes += c.bytes();
      batch_.changes.push_back(std::move(c));
    }
    if (out.committed)
      batch_.committed = *out.committed;
    return true;
  }

  bool batch_empty() const { return batch_.changes.empty() && !batch_.committed; }

  // A batch waits up to batch_delay for more: messages arrive one by one, and
  // handing each over alone costs the walsender, this thread and the actor
  // a wake-up per row.
  bool batch_due() const {
    return !batch_empty() && clock_type::now() - batch_started_ >= batch_delay;
  }

  void hand_over() {
    if (batch_empty())
      return;
    if (batch_.committed)
      last_handed_commit_ = *batch_.committed;
    link_->pending_bytes.fetch_add(batch_.bytes);
    caf::anon_send(slot_, std::move(batch_));
    batch_ = wal_batch{};
  }

  // -- confirming -------------------------------------------------------------------

  // Confirms what the actor handled; while idle also the keepalive's
  // position, or a database busy with unpublished tables would have its WAL
  // pinned. Idle means nothing is on its way to a client: no transaction
  // open, nothing read and not handed over, and every transaction handed
  // over handled (its frames out of the process).
  lsn position_to_confirm() const {
    auto handled = link_->handled.load();
    lsn position = std::max(handled, link_->confirmed.load());
    bool idle = !stream_.in_transaction() && batch_empty() && handled >= last_handed_commit_;
    if (idle)
      position = std::max(position, keepalive_end_);
    return position;
  }

  // Every status_interval, when PostgreSQL asks, and soon after handled
  // transactions moved the position (fewer to send again after a crash).
  bool report_position() {
    auto now = clock_type::now();
    auto position = position_to_confirm();
    bool moved = position > link_->confirmed.load() && now >= last_status_ + eager_status_gap;
    if (now < next_status_ && !moved)
      return true;
    if (auto sent = wal_->send_status(position, false); !sent) {
      last_error_ = sent.error().message;
      return false;
    }
    link_->confirmed.store(position);
    metrics_->confirmed_lsn.store(position);
    last_status_ = now;
    next_status_ = now + settings_.status_interval;
    return true;
  }

  // -- helpers ------------------------------------------------------------------------

  void notify(stream_event::kind what, std::string message) {
    caf::anon_send(slot_, stream_event{what, std::move(message)});
  }

  // Waits for data, a wake-up, the batch's deadline, the next status update,
  // or at most position_check (the actor moves `handled` without waking us).
  void wait_for_io() {
    pollfd fds[2] = {{link_->wake_fd(), POLLIN, 0}, {wal_->socket(), 0, 0}};
    bool can_read = link_->pending_bytes.load() < settings_.max_pending_bytes;
    // Paused: the actor wakes us once it handled enough.
    link_->paused.store(!can_read);
    if (!can_read && link_->pending_bytes.load() < settings_.max_pending_bytes)
      can_read = true; // handled meanwhile: the wake-up may have come before `paused`
    // While a batch fills, sleep until its deadline instead of waking for
    // every message: the walsender then writes into the socket buffer
    // without a reader (and its acknowledgements) on the other side each time.
    bool want_read = can_read && batch_empty();
    fds[1].events = static_cast<short>((want_read ? POLLIN : 0) | (wal_->wants_write() ? POLLOUT : 0));
    auto now = clock_type::now();
    auto deadline = std::min(next_status_, now + position_check);
    if (!batch_empty())
      deadline = std::min(deadline, batch_started_ + batch_delay);
    auto timeout = std::chrono::duration_cast<std::chrono::microseconds>(deadline - now);
    // poll() counts milliseconds: round up, or a sub-millisecond wait spins.
    auto ms = std::clamp<long long>((timeout.count() + 999) / 1000, 0, 1000);
    ::poll(fds, 2, static_cast<int>(ms));
    link_->paused.store(false);
    if (fds[0].revents != 0)
      link_->drain_wakeups();
    if ((fds[1].revents & POLLOUT) != 0)
      (void)wal_->flush();
  }

  // Sleeps `delay`, or until stopped or asked to stream.
  void wait_for(std::chrono::milliseconds delay) {
    auto until = clock_type::now() + delay;
    bool wanted = link_->stream_wanted.load();
    while (!link_->stop.load() && link_->stream_wanted.load() == wanted) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock_type::now());
      if (left.count() <= 0)
        return;
      pollfd fd{link_->wake_fd(), POLLIN, 0};
      ::poll(&fd, 1, static_cast<int>(left.count()));
      link_->drain_wakeups();
    }
  }

  void wait_backoff() {
    wait_for(backoff_);
    backoff_ = std::min(backoff_ * 2, settings_.max_backoff);
  }

  db::database_config cfg_;
  wal_reader_settings settings_;
  caf::actor slot_;
  std::shared_ptr<reader_link> link_;
  std::shared_ptr<replication_metrics> metrics_;
  slot_upkeep upkeep_;
  replication::change_stream stream_;
  bool standing_by_ = false;
  std::unique_ptr<db::wal_stream> wal_;
  wal_batch batch_;
  lsn keepalive_end_ = 0;
  lsn last_handed_commit_ = 0;
  clock_type::time_point next_status_{};
  clock_type::time_point last_status_{};
  clock_type::time_point batch_started_{};
  std::string last_error_;
  std::chrono::milliseconds backoff_;
  bool announced_down_ = false;
  bool recreated_ = false; // the next session's slot is new: changes were skipped
  bool streamed_ = false;  // a session was open before
  bool quiet_ = false;     // the unreachable database was reported already
};

} // namespace

reader_link::reader_link() : wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

reader_link::~reader_link() {
  if (wake_fd_ >= 0)
    ::close(wake_fd_);
}

void reader_link::watch(std::vector<std::uint32_t> relids) {
  std::lock_guard guard{watched_mutex_};
  watched_ = {relids.begin(), relids.end()};
}

bool reader_link::watches(std::uint32_t relid) const {
  std::lock_guard guard{watched_mutex_};
  return watched_.contains(relid);
}

void reader_link::wake() const {
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void reader_link::drain_wakeups() const {
  std::uint64_t count = 0;
  [[maybe_unused]] auto n = ::read(wake_fd_, &count, sizeof count);
}

wal_reader::wal_reader(db::database_config cfg, wal_reader_settings settings, caf::actor slot,
                       std::shared_ptr<replication_metrics> metrics)
  : link_(std::make_shared<reader_link>()) {
  thread_ = std::thread([cfg = std::move(cfg), settings, slot = std::move(slot), link = link_,
                         metrics = std::move(metrics)] {
    // Named for top/perf; threads otherwise inherit their creator's name.
    pthread_setname_np(pthread_self(), "rt.wal_reader");
    reader_loop loop{cfg, settings, slot, link, metrics};
    loop.run();
  });
}

void wal_reader::start_streaming() {
  if (!link_->stream_wanted.exchange(true))
    link_->wake();
}

wal_reader::~wal_reader() {
  link_->stop.store(true);
  link_->wake();
  // Creating a slot waits for every running transaction of the cluster.
  link_->interrupt.interrupt();
  if (thread_.joinable())
    thread_.join();
}

} // namespace rt::actors
