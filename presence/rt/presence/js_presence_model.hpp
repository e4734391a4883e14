#pragma once

// Test support: phoenix.js Presence.syncState / syncDiff (assets/js/phoenix/
// presence.js) as a reference model over parsed JSON, to check that the
// payloads this module emits make a client's view equal the server's list.
// Header-only so that it stays out of the library.

#include <algorithm>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace rt::presence::test_support {

/// The phx_refs of a presence's metas, in order.
inline std::vector<std::string> js_refs(const boost::json::object& presence) {
  std::vector<std::string> refs;
  for (const auto& m : presence.at("metas").as_array())
    refs.emplace_back(m.as_object().at("phx_ref").as_string());
  return refs;
}

/// Whether `refs` contains the phx_ref of `meta`.
inline bool js_ref_in(const std::vector<std::string>& refs, const boost::json::value& meta) {
  std::string ref{meta.as_object().at("phx_ref").as_string()};
  return std::find(refs.begin(), refs.end(), ref) != refs.end();
}

/// The metas of `metas` whose phx_ref is (keep_listed) or is not in `refs`.
inline boost::json::array js_filter_metas(const boost::json::array& metas,
                                          const std::vector<std::string>& refs,
                                          bool keep_listed) {
  boost::json::array out;
  for (const auto& m : metas)
    if (js_ref_in(refs, m) == keep_listed)
      out.push_back(m);
  return out;
}

/// Presence.syncDiff: each joined key takes the joined presence, with the
/// current metas whose refs it does not carry put first; then each left key
/// loses the metas whose refs left, and goes when none remain. Unknown leave
/// keys are ignored.
inline boost::json::object js_sync_diff(boost::json::object state,
                                        const boost::json::object& diff) {
  for (const auto& [key, joined] : diff.at("joins").as_object()) {
    auto entry = joined.as_object();
    if (auto* current = state.if_contains(key)) {
      auto kept = js_filter_metas(current->as_object().at("metas").as_array(), js_refs(entry),
                                  false);
      for (const auto& m : entry.at("metas").as_array())
        kept.push_back(m);
      entry["metas"] = std::move(kept);
    }
    state[key] = std::move(entry);
  }
  for (const auto& [key, left] : diff.at("leaves").as_object()) {
    auto* current = state.if_contains(key);
    if (current == nullptr)
      continue;
    auto& metas = current->as_object()["metas"];
    metas = js_filter_metas(metas.as_array(), js_refs(left.as_object()), false);
    if (metas.as_array().empty())
      state.erase(key);
  }
  return state;
}

/// Presence.syncState: the difference between `current` and `next` by
/// phx_ref, applied to `current` with js_sync_diff.
inline boost::json::object js_sync_state(const boost::json::object& current,
                                         const boost::json::object& next) {
  boost::json::object joins, leaves;
  for (const auto& [key, presence] : current)
    if (!next.contains(key))
      leaves[key] = presence;
  for (const auto& [key, fresh] : next) {
    const auto* cur = current.if_contains(key);
    if (cur == nullptr) {
      joins[key] = fresh;
      continue;
    }
    const auto& cur_presence = cur->as_object();
    auto joined = js_filter_metas(fresh.at("metas").as_array(), js_refs(cur_presence), false);
    auto left = js_filter_metas(cur_presence.at("metas").as_array(), js_refs(fresh.as_object()),
                                false);
    if (!joined.empty()) {
      auto entry = fresh.as_object();
      entry["metas"] = std::move(joined);
      joins[key] = std::move(entry);
    }
    if (!left.empty()) {
      auto entry = cur_presence;
      entry["metas"] = std::move(left);
      leaves[key] = std::move(entry);
    }
  }
  return js_sync_diff(current, boost::json::object{{"joins", joins}, {"leaves", leaves}});
}

/// `state` with each key's metas sorted by phx_ref, for comparisons that do
/// not depend on meta order (the client keeps older metas first).
inline boost::json::object js_normalized(boost::json::object state) {
  for (auto& [key, presence] : state) {
    auto& metas = presence.as_object()["metas"].as_array();
    std::sort(metas.begin(), metas.end(), [](const auto& x, const auto& y) {
      return x.as_object().at("phx_ref").as_string() < y.as_object().at("phx_ref").as_string();
    });
  }
  return state;
}

} // namespace rt::presence::test_support
