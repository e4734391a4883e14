#include "rt/channel.hpp"

#include "rt/protocol/encode.hpp"
#include "rt/protocol/events.hpp"

namespace rt {

void channel_handler::handle_in(channel_context& ctx, const protocol::message& msg) {
  ctx.reply(msg.ref, protocol::wire::status_error,
            protocol::reason_json(protocol::wire::unhandled_event));
}

void channel_handler::on_timer(channel_context&, std::uint64_t) {
  // Handlers that start timers override this.
}

void channel_handler::after_join(channel_context&) {
  // Handlers that ask for it override this.
}

void channel_handler::handle_info(channel_context&, const caf::message&) {
  // Handlers that send requests override this.
}

bool channel_route::matches(std::string_view topic) const noexcept {
  if (!pattern.empty() && pattern.back() == '*') {
    auto prefix = std::string_view{pattern}.substr(0, pattern.size() - 1);
    return topic.substr(0, prefix.size()) == prefix;
  }
  return topic == pattern;
}

} // namespace rt
