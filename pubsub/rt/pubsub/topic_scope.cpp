#include "rt/pubsub/topic_scope.hpp"

namespace rt::pubsub {

namespace {

// 0xFF never occurs in UTF-8.
constexpr char private_marker = '\xff';

} // namespace

std::string scoped_key(topic_scope scope, std::string_view topic) {
  if (scope == topic_scope::public_topic)
    return std::string{topic};
  std::string key;
  key.reserve(topic.size() + 1);
  key.push_back(private_marker);
  key.append(topic);
  return key;
}

scoped_topic split_key(std::string_view key) noexcept {
  if (!key.empty() && key.front() == private_marker)
    return {topic_scope::private_topic, key.substr(1)};
  return {topic_scope::public_topic, key};
}

} // namespace rt::pubsub
