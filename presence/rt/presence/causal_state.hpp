#pragma once

// A replica's elements together with the causal context that explains them:
// a dot the context covers whose element is absent was removed. This is what
// a full-state transfer carries.

#include "rt/presence/causal_context.hpp"
#include "rt/presence/element.hpp"

namespace rt::presence {

/// Elements and the dots their holder has seen.
struct causal_state {
  /// Every dot seen, including those of elements removed since.
  causal_context context;
  /// The elements still present.
  dotted_values values;

  friend bool operator==(const causal_state&, const causal_state&) = default;
};

} // namespace rt::presence
