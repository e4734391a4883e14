#include "rt/actors/endpoint_context.hpp"

namespace rt::actors {

namespace {

// Ten slices make the one-second window slide in 100 ms steps.
constexpr std::size_t window_slices = 10;

} // namespace

join_limiter::join_limiter(std::size_t per_second)
  : window_(std::chrono::seconds{1}, window_slices), per_second_(per_second) {}

bool join_limiter::try_join() {
  std::lock_guard guard{mutex_};
  return window_.try_add(pubsub::rate_window::clock::now(), per_second_);
}

bool join_limiter::saturated() {
  std::lock_guard guard{mutex_};
  return window_.count(pubsub::rate_window::clock::now()) >= per_second_;
}

endpoint_context::endpoint_context(endpoint_config cfg)
  : config(std::move(cfg)), joins(config.max_joins_per_second) {
  jwt.secret = config.jwt_secret;
  jwt.jwks = config.jwt_jwks;
  jwt.claim_validators = config.jwt_claim_validators;
}

caf::actor endpoint_context::next_authorizer() const {
  if (authorizers.empty())
    return {};
  return authorizers[authorizer_turn_.fetch_add(1, std::memory_order_relaxed) % authorizers.size()];
}

const channel_route* endpoint_context::route_for(std::string_view topic) const {
  for (auto& r : routes)
    if (r.matches(topic))
      return &r;
  return nullptr;
}

} // namespace rt::actors
