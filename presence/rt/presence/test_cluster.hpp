#pragma once

// Test support: a simulated cluster of tracker replicas driven by a seeded
// random schedule. Replicas track, update and untrack presences, broadcast
// heartbeat deltas and answer transfer requests; messages are delivered in
// random order, and some are dropped or duplicated. One replica at a time may
// be cut off from the others (each side marks the other down, messages across
// are lost) and later healed, and a replica may restart as a new incarnation
// (the others forget the old one and learn the new one).
//
// Each replica also feeds every diff it emits to a phoenix.js client model per
// topic; after every step each model must equal that replica's list, which is
// what a client of that node sees. The truth is what each replica itself
// tracks; after anti_entropy() every replica must list exactly the truth.
// Header-only so that it stays out of the library.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "rt/presence/js_presence_model.hpp"
#include "rt/presence/tracker_core.hpp"
#include "rt/presence/wire_payload.hpp"

namespace rt::presence::test_support {

/// Knobs of one simulated run.
struct cluster_options {
  /// Number of replicas (3 or more for the interesting cases).
  std::size_t replicas = 3;
  /// Random steps before anti-entropy.
  std::size_t steps = 400;
  /// Chance, in percent, that a message is lost.
  unsigned drop_percent = 15;
  /// Chance, in percent, that a message is delivered twice.
  unsigned duplicate_percent = 10;
  /// Whether a replica may be cut off and healed.
  bool partitions = true;
  /// Whether a replica may restart as a new incarnation.
  bool restarts = false;
};

/// How much of each kind of event a run produced.
struct cluster_stats {
  /// Diffs from merges (heartbeats and transfers) that changed a listing.
  std::size_t changing_merges = 0;
  /// Transfer answers that were full states.
  std::size_t full_transfers = 0;
  /// Transfer answers that were delta generations.
  std::size_t delta_transfers = 0;
  /// Messages lost.
  std::size_t dropped = 0;
  /// Messages delivered twice.
  std::size_t duplicated = 0;
  /// Partitions started.
  std::size_t partitions = 0;
  /// Restarts.
  std::size_t restarts = 0;
};

/// A seeded simulation of replicas exchanging gossip.
class cluster_sim {
public:
  /// A cluster of `options.replicas` fresh replicas that all know each other.
  cluster_sim(std::uint64_t seed, cluster_options options)
    : rng_(seed), options_(options) {
    for (std::size_t i = 0; i < options_.replicas; ++i)
      nodes_.push_back(make_node(replica_ref{"node" + std::to_string(i), 1}));
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      for (std::size_t j = 0; j < nodes_.size(); ++j)
        if (i != j)
          apply(i, core(i).replica_up(nodes_[j].ref));
  }

  /// Runs the random steps; fails at the first wrong result or client view.
  ::testing::AssertionResult run() {
    for (step_ = 0; step_ < options_.steps && failure_.empty(); ++step_) {
      random_step();
      check_clients();
    }
    return result();
  }

  /// Heals any partition, delivers what is in flight, then every replica
  /// broadcasts its delta reliably and asks every other for a transfer.
  ::testing::AssertionResult anti_entropy() {
    if (isolated_)
      heal();
    while (!in_flight_.empty() && failure_.empty())
      deliver(pick(in_flight_.size()));
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      broadcast_reliably(i);
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      for (std::size_t j = 0; j < nodes_.size(); ++j)
        if (i != j)
          apply_merge(i, core(i).merge_transfer(answer(j, i)));
    check_clients();
    return result();
  }

  /// Whether every replica lists exactly the presences the replicas track.
  [[nodiscard]] ::testing::AssertionResult lists_match_truth() const {
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      for (const auto& topic : topics())
        if (listed(i, topic) != truth_of(topic))
          return ::testing::AssertionFailure()
                 << "replica " << i << " lists on " << topic << ":\n"
                 << join(listed(i, topic)) << "but the truth is:\n" << join(truth_of(topic));
    return ::testing::AssertionSuccess();
  }

  /// Number of presences tracked across the cluster.
  [[nodiscard]] std::size_t tracked() const noexcept { return truth_.size(); }

  /// What the run exercised.
  [[nodiscard]] const cluster_stats& stats() const noexcept { return stats_; }

private:
  struct node {
    replica_ref ref;
    std::unique_ptr<tracker_core> core;
    /// Topic -> what a client of this node sees.
    std::map<std::string, boost::json::object> clients;
  };

  struct message {
    std::size_t from;
    std::size_t to;
    bool heartbeat;
    transfer_payload body;
  };

  /// (replica index, owner, topic, key), mapped to the stored meta.
  using truth_key = std::tuple<std::size_t, owner_id, std::string, std::string>;

  // In-flight messages beyond this are lost, as a full mailbox would lose
  // them; it keeps the queue bounded whatever the schedule.
  static constexpr std::size_t max_in_flight = 512;
  static constexpr owner_id owners = 4;

  static const std::vector<std::string>& topics() {
    static const std::vector<std::string> t{"room:a", "room:b"};
    return t;
  }

  static const std::vector<std::string>& keys() {
    static const std::vector<std::string> k{"ann", "bob", "cy"};
    return k;
  }

  node make_node(replica_ref ref) {
    auto core = std::make_unique<tracker_core>(ref);
    return node{std::move(ref), std::move(core), {}};
  }

  tracker_core& core(std::size_t i) { return *nodes_[i].core; }
  const tracker_core& core(std::size_t i) const { return *nodes_[i].core; }

  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }
  bool chance(unsigned percent) { return pick(100) < percent; }
  std::uint64_t now() { return ++clock_ * 1000; }

  void fail(const std::string& why) {
    if (failure_.empty())
      failure_ = "step " + std::to_string(step_) + ": " + why;
  }

  ::testing::AssertionResult result() const {
    if (failure_.empty())
      return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << failure_;
  }

  void random_step() {
    auto roll = pick(100);
    auto i = pick(nodes_.size());
    if (roll < 20)
      track(i);
    else if (roll < 28)
      update(i);
    else if (roll < 36)
      untrack(i);
    else if (roll < 38)
      untrack_owner(i);
    else if (roll < 53)
      heartbeat(i);
    else if (roll < 61)
      request_transfer(i);
    else if (roll < 97)
      deliver_some();
    else if (roll < 99)
      toggle_partition(i);
    else
      restart(i);
  }

  // Local operations ---------------------------------------------------------

  void track(std::size_t i) {
    truth_key k{i, 1 + pick(owners), topics()[pick(topics().size())], keys()[pick(keys().size())]};
    boost::json::object meta{{"n", static_cast<std::int64_t>(++meta_counter_)}};
    auto diff = core(i).track(std::get<1>(k), std::get<2>(k), std::get<3>(k), meta, now());
    if (truth_.contains(k)) {
      if (diff || diff.error() != errc::already_tracked)
        fail("tracking a tracked presence was not refused");
      return;
    }
    if (!diff || diff->joins.size() != 1)
      return fail("track failed");
    truth_[k] = diff->joins[0].meta;
    apply(i, *diff);
  }

  void update(std::size_t i) {
    auto k = random_truth_of(i);
    if (!k)
      return;
    boost::json::object meta{{"n", static_cast<std::int64_t>(++meta_counter_)}};
    auto diff = core(i).update(std::get<1>(*k), std::get<2>(*k), std::get<3>(*k), meta, now());
    if (!diff || diff->joins.size() != 1 || diff->leaves.size() != 1)
      return fail("update failed");
    truth_[*k] = diff->joins[0].meta;
    apply(i, *diff);
  }

  void untrack(std::size_t i) {
    auto k = random_truth_of(i);
    if (!k)
      return;
    auto diff = core(i).untrack(std::get<1>(*k), std::get<2>(*k), std::get<3>(*k));
    if (!diff || diff->leaves.size() != 1)
      return fail("untrack failed");
    truth_.erase(*k);
    apply(i, *diff);
  }

  void untrack_owner(std::size_t i) {
    owner_id owner = 1 + pick(owners);
    auto diff = core(i).untrack_owner(owner);
    auto erased = std::erase_if(truth_, [&](const auto& entry) {
      return std::get<0>(entry.first) == i && std::get<1>(entry.first) == owner;
    });
    if (diff.leaves.size() != erased)
      return fail("untrack_owner left " + std::to_string(diff.leaves.size()) + " of "
                  + std::to_string(erased));
    apply(i, diff);
  }

  std::optional<truth_key> random_truth_of(std::size_t i) {
    std::vector<truth_key> mine;
    for (const auto& entry : truth_)
      if (std::get<0>(entry.first) == i)
        mine.push_back(entry.first);
    if (mine.empty())
      return std::nullopt;
    return mine[pick(mine.size())];
  }

  // Gossip -------------------------------------------------------------------

  void heartbeat(std::size_t i) {
    auto d = core(i).take_heartbeat_delta();
    if (!d)
      return;
    for (std::size_t j = 0; j < nodes_.size(); ++j)
      if (j != i)
        send(message{i, j, true, *d});
  }

  void request_transfer(std::size_t i) {
    auto j = pick(nodes_.size());
    if (j == i || separated(i, j))
      return;
    send(message{j, i, false, answer(j, i)});
  }

  transfer_payload answer(std::size_t from, std::size_t to) {
    auto payload = core(from).answer_transfer(nodes_[to].ref, core(to).clocks());
    ++(std::holds_alternative<delta>(payload) ? stats_.delta_transfers : stats_.full_transfers);
    return payload;
  }

  void send(message m) {
    if (separated(m.from, m.to) || chance(options_.drop_percent)
        || in_flight_.size() >= max_in_flight) {
      ++stats_.dropped;
      return;
    }
    if (chance(options_.duplicate_percent)) {
      ++stats_.duplicated;
      in_flight_.push_back(m);
    }
    in_flight_.push_back(std::move(m));
  }

  void deliver_some() {
    for (auto n = 1 + pick(3); n > 0 && !in_flight_.empty(); --n)
      deliver(pick(in_flight_.size()));
  }

  void deliver(std::size_t index) {
    auto m = std::move(in_flight_[index]);
    in_flight_[index] = std::move(in_flight_.back());
    in_flight_.pop_back();
    if (separated(m.from, m.to))
      return;
    if (m.heartbeat)
      apply_merge(m.to, core(m.to).merge_heartbeat(std::get<delta>(m.body)));
    else
      apply_merge(m.to, core(m.to).merge_transfer(m.body));
  }

  void broadcast_reliably(std::size_t i) {
    auto d = core(i).take_heartbeat_delta();
    if (!d)
      return;
    for (std::size_t j = 0; j < nodes_.size(); ++j)
      if (j != i)
        apply_merge(j, core(j).merge_heartbeat(*d));
  }

  // Partitions and restarts --------------------------------------------------

  bool separated(std::size_t a, std::size_t b) const {
    return isolated_ && (*isolated_ == a) != (*isolated_ == b);
  }

  void toggle_partition(std::size_t x) {
    if (!options_.partitions)
      return;
    if (isolated_)
      return heal();
    isolated_ = x;
    ++stats_.partitions;
    for (std::size_t j = 0; j < nodes_.size(); ++j) {
      if (j == x)
        continue;
      apply(j, core(j).replica_down(nodes_[x].ref));
      apply(x, core(x).replica_down(nodes_[j].ref));
    }
  }

  void heal() {
    auto x = *isolated_;
    isolated_.reset();
    for (std::size_t j = 0; j < nodes_.size(); ++j) {
      if (j == x)
        continue;
      apply(j, core(j).replica_up(nodes_[x].ref));
      apply(x, core(x).replica_up(nodes_[j].ref));
    }
  }

  void restart(std::size_t x) {
    if (!options_.restarts || isolated_)
      return;
    ++stats_.restarts;
    auto old_ref = nodes_[x].ref;
    auto new_ref = replica_ref{old_ref.node, old_ref.vsn + 1};
    nodes_[x].core = std::make_unique<tracker_core>(new_ref);
    nodes_[x].ref = new_ref;
    std::erase_if(truth_, [&](const auto& entry) { return std::get<0>(entry.first) == x; });
    for (std::size_t j = 0; j < nodes_.size(); ++j) {
      if (j == x)
        continue;
      apply(j, core(j).permdown(old_ref));
      apply(j, core(j).replica_up(new_ref));
      apply(x, core(x).replica_up(nodes_[j].ref));
    }
    resync_clients(x);
  }

  // Clients ------------------------------------------------------------------

  void apply(std::size_t i, const expected<presence_diff>& diff) {
    if (!diff)
      return fail(std::string{"operation refused: "} + std::string{to_string(diff.error())});
    apply(i, *diff);
  }

  void apply(std::size_t i, const presence_diff& diff) {
    for (const auto& payload : presence_diff_payloads(diff)) {
      auto& view = nodes_[i].clients[payload.topic];
      view = js_sync_diff(view, boost::json::parse(payload.json).as_object());
    }
  }

  void apply_merge(std::size_t i, const presence_diff& diff) {
    if (!diff.empty())
      ++stats_.changing_merges;
    apply(i, diff);
  }

  // Clients of a restarted node rejoin and receive its presence_state.
  void resync_clients(std::size_t x) {
    for (const auto& topic : topics()) {
      auto& view = nodes_[x].clients[topic];
      view = js_sync_state(view, presence_state_of(x, topic));
    }
  }

  boost::json::object presence_state_of(std::size_t i, const std::string& topic) const {
    return boost::json::parse(presence_state_json(core(i).list(topic))).as_object();
  }

  void check_clients() {
    for (std::size_t i = 0; i < nodes_.size() && failure_.empty(); ++i)
      for (const auto& topic : topics())
        check_client(i, topic);
  }

  void check_client(std::size_t i, const std::string& topic) {
    auto server = js_normalized(presence_state_of(i, topic));
    auto client = js_normalized(nodes_[i].clients[topic]);
    if (server != client)
      fail("replica " + std::to_string(i) + " on " + topic + " lists "
           + boost::json::serialize(server) + " but its clients see "
           + boost::json::serialize(client));
  }

  // Truth --------------------------------------------------------------------

  std::vector<std::string> listed(std::size_t i, const std::string& topic) const {
    std::vector<std::string> out;
    for (const auto& v : core(i).list(topic))
      out.push_back(std::string{v.key} + " " + boost::json::serialize(*v.meta));
    std::sort(out.begin(), out.end());
    return out;
  }

  std::vector<std::string> truth_of(const std::string& topic) const {
    std::vector<std::string> out;
    for (const auto& [k, meta] : truth_)
      if (std::get<2>(k) == topic)
        out.push_back(std::get<3>(k) + " " + boost::json::serialize(meta));
    std::sort(out.begin(), out.end());
    return out;
  }

  static std::string join(const std::vector<std::string>& lines) {
    std::ostringstream out;
    for (const auto& line : lines)
      out << "  " << line << "\n";
    return out.str();
  }

  std::mt19937_64 rng_;
  cluster_options options_;
  std::vector<node> nodes_;
  std::vector<message> in_flight_;
  std::map<truth_key, boost::json::object> truth_;
  std::optional<std::size_t> isolated_;
  cluster_stats stats_;
  std::size_t step_ = 0;
  std::uint64_t clock_ = 0;
  std::uint64_t meta_counter_ = 0;
  std::string failure_;
};

} // namespace rt::presence::test_support
