#include "rt/actors/membership.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/remote_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "rt/actors/cluster_guard.hpp"
#include "rt/actors/tcp_probe.hpp"
#include "rt/actors/unexpected.hpp"
#include "rt/protocol/cluster_proof.hpp"

namespace rt::actors {

namespace {

using clock_type = std::chrono::steady_clock;

// A dialer's answer: the membership actor published at `at`, or why not.
struct dial_result {
  cluster_address at;
  caf::actor remote;
  std::string error;
};

} // namespace
} // namespace rt::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rt::actors::dial_result)

namespace rt::actors {

namespace {

struct membership_state {
  membership_options options;
  std::string proof;
  std::map<caf::node_id, member_card> members;
  // Addresses being dialed (one blocking dialer each).
  std::set<cluster_address> dialing;
  // Members that went down, dialed again until this time.
  std::map<cluster_address, clock_type::time_point> lost;
  // Addresses whose last dial failed (logged once until one succeeds).
  std::set<cluster_address> failing;
  static inline const char* name = "rt.membership";
};

using membership_self = caf::stateful_actor<membership_state>*;

cluster_address address_of(const member_card& c) {
  return {c.host, c.port};
}

bool is_own(membership_self self, const cluster_address& a) {
  return a == address_of(self->state.options.card);
}

bool is_member_address(membership_self self, const cluster_address& a) {
  return std::any_of(self->state.members.begin(), self->state.members.end(),
                     [&a](const auto& m) { return address_of(m.second) == a; });
}

cluster_hello hello(membership_self self, std::vector<member_card> known, bool answer) {
  auto& st = self->state;
  return {st.options.card, std::move(known), st.proof, answer};
}

std::vector<member_card> cards_except(membership_self self, const caf::node_id& node) {
  std::vector<member_card> cards;
  for (const auto& [id, card] : self->state.members)
    if (id != node)
      cards.push_back(card);
  return cards;
}

// -- dialing ------------------------------------------------------------------------

// How long a dial waits for the TCP connection before it counts as failed.
constexpr std::chrono::seconds connect_limit{2};

caf::expected<caf::actor> connect(caf::actor_system& sys, const cluster_address& at, bool tls) {
  if (!tcp_reachable(at.host, at.port, connect_limit))
    return caf::make_error(caf::sec::cannot_connect_to_node, "no TCP connection within 2 s");
  if (tls)
    return caf::openssl::remote_actor(sys, at.host, at.port);
  return sys.middleman().remote_actor(at.host, at.port);
}

// Connecting blocks (TCP, the BASP or TLS handshake), so each dial runs on a
// detached actor of its own that reports and ends.
void dial(membership_self self, const cluster_address& at) {
  auto& st = self->state;
  if (is_own(self, at) || is_member_address(self, at) || !st.dialing.insert(at).second)
    return;
  self->system().spawn<caf::detached>(
    [at, tls = st.options.tls, parent = caf::actor{self}](caf::event_based_actor* dialer) {
      auto remote = connect(dialer->system(), at, tls);
      dialer->send(parent, remote ? dial_result{at, *remote, {}}
                                  : dial_result{at, {}, caf::to_string(remote.error())});
    });
}

void on_dialed(membership_self self, dial_result& r) {
  auto& st = self->state;
  st.dialing.erase(r.at);
  if (!r.remote) {
    if (st.failing.insert(r.at).second)
      spdlog::info("cluster: cannot reach {}:{} ({}); trying again", r.at.host, r.at.port,
                   r.error);
    return;
  }
  st.failing.erase(r.at);
  auto node = r.remote.node();
  if (node == self->node() || st.members.count(node) != 0)
    return;
  self->send(r.remote, hello(self, cards_except(self, node), false));
}

void redial(membership_self self) {
  auto& st = self->state;
  auto now = clock_type::now();
  std::erase_if(st.lost, [now](const auto& l) { return l.second < now; });
  for (const auto& seed : st.options.seeds)
    dial(self, seed);
  for (const auto& [at, until] : st.lost)
    dial(self, at);
  self->delayed_send(self, st.options.redial_period, redial_atom::value);
}

// -- members ------------------------------------------------------------------------

void tell_services(membership_self self, const member_card& c, bool up) {
  const auto& own = self->state.options.card;
  if (own.pubsub && c.pubsub)
    self->send(own.pubsub, cluster_peer{c.pubsub, up});
  if (own.tracker && c.tracker)
    self->send(own.tracker, cluster_peer{c.tracker, up});
  if (own.changes && c.changes)
    self->send(own.changes, cluster_peer{c.changes, up});
}

void count_members(membership_self self) {
  self->state.options.member_count->store(self->state.members.size());
}

// Membership spreads: the members known already hear of the newcomer (and
// dial it), and it heard of them in the answer to its hello.
void admit(membership_self self, const member_card& c) {
  auto& st = self->state;
  auto node = c.membership.node();
  for (const auto& [id, m] : st.members)
    self->send(m.membership, hello(self, {c}, true));
  st.members.emplace(node, c);
  st.lost.erase(address_of(c));
  self->monitor(c.membership);
  tell_services(self, c, true);
  count_members(self);
  spdlog::info("cluster: node {} ({}:{}) joined; {} other node(s)", c.name, c.host, c.port,
               st.members.size());
}

void on_hello(membership_self self, cluster_hello& h) {
  auto& st = self->state;
  if (!h.from.membership || !protocol::cluster_proof_valid(st.options.secret, h.from.name, h.proof)) {
    spdlog::warn("cluster: refused a node calling itself {} ({}:{}): wrong cluster secret",
                 h.from.name, h.from.host, h.from.port);
    return;
  }
  auto node = h.from.membership.node();
  if (node == self->node())
    return;
  if (h.from.name == st.options.card.name) {
    spdlog::error("cluster: refused node {}:{}: it has this node's name {} (NODE_NAME must be "
                  "unique)", h.from.host, h.from.port, h.from.name);
    return;
  }
  if (st.members.count(node) == 0)
    admit(self, h.from);
  // Answered even when already a member: after a reconnection CAF may keep
  // this side's handles alive while the other side saw this node go down and
  // needs the answer to admit it again.
  if (!h.answer)
    self->send(h.from.membership, hello(self, cards_except(self, node), true));
  for (const auto& card : h.known)
    if (card.membership && card.membership.node() != self->node()
        && st.members.count(card.membership.node()) == 0)
      dial(self, address_of(card));
}

void on_down(membership_self self, const caf::down_msg& dm) {
  auto& st = self->state;
  auto it = st.members.find(dm.source.node());
  if (it == st.members.end())
    return;
  auto card = std::move(it->second);
  st.members.erase(it);
  tell_services(self, card, false);
  st.lost[address_of(card)] = clock_type::now() + st.options.forget_after;
  count_members(self);
  spdlog::warn("cluster: node {} ({}:{}) left ({}); {} other node(s)", card.name, card.host,
               card.port, caf::to_string(dm.reason), st.members.size());
}

std::vector<std::string> member_names(membership_self self) {
  std::vector<std::string> names;
  for (const auto& [id, card] : self->state.members)
    names.push_back(card.name);
  std::sort(names.begin(), names.end());
  return names;
}

caf::behavior membership_behavior(membership_self self, membership_options options) {
  auto& st = self->state;
  st.options = std::move(options);
  st.options.card.membership = caf::actor{self};
  st.proof = protocol::cluster_proof(st.options.secret, st.options.card.name);
  self->set_default_handler(drop_unexpected);
  ignore_remote_exits(self);
  self->set_down_handler([self](caf::down_msg& dm) { on_down(self, dm); });
  self->send(self, redial_atom::value);
  return {
    [self](cluster_hello& h) { on_hello(self, h); },
    [self](dial_result& r) { on_dialed(self, r); },
    [self](redial_atom) { redial(self); },
    [self](members_atom) { return member_names(self); },
  };
}

} // namespace

caf::actor spawn_membership(caf::actor_system& sys, membership_options options) {
  return sys.spawn(membership_behavior, std::move(options));
}

} // namespace rt::actors
