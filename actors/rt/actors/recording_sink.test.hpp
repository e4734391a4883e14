#pragma once

// A connection_sink for actor tests: it stands in for a network connection
// and records what the actors write to it.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "rt/connection_sink.hpp"

namespace rt::actors::testing {

struct recording_sink : rt::connection_sink {
  std::vector<std::string> frames;
  std::vector<std::pair<std::uint16_t, std::string>> closes;
  std::size_t consumed_count = 0;

  bool send(rt::protocol::shared_frame f) override {
    frames.emplace_back(f->payload());
    return true;
  }
  void close(std::uint16_t code, std::string reason) override {
    closes.emplace_back(code, std::move(reason));
  }
  void consumed() override { ++consumed_count; }
  receipt send_tracked(rt::protocol::shared_frame f) override {
    send(std::move(f));
    return {true, frames.size(), 0};
  }
  bool flushed_through(std::uint64_t) const override { return true; }
  std::size_t queued_bytes() const override { return 0; }
  std::size_t max_queued_bytes() const override { return 1u << 20; }

  std::vector<std::string> take() { return std::exchange(frames, {}); }
};

} // namespace rt::actors::testing
