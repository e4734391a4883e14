#include "client_loop.hpp"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "http_upgrade.hpp"
#include "iso_time.hpp"

namespace bench {

namespace {

// Linux value; older libc headers may lack the name.
#ifndef IP_BIND_ADDRESS_NO_PORT
constexpr int IP_BIND_ADDRESS_NO_PORT = 24;
#endif

constexpr int max_events = 512;

std::string errno_text(int err) {
  return std::strerror(err);
}

} // namespace

client_loop::client_loop(const bench_options& opts, codec& proto)
  : opts_(opts), codec_(proto), read_buf_(read_buffer_size), origin_(now_us()) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) {
    error_ = "epoll_create1: " + errno_text(errno);
    return;
  }
  sockaddr_in server{};
  server.sin_family = AF_INET;
  if (inet_pton(AF_INET, opts.host.c_str(), &server.sin_addr) != 1) {
    error_ = "--host must be an IPv4 address: " + opts.host;
    return;
  }
  for (int port : opts.ports.empty() ? std::vector<int>{opts.port} : opts.ports) {
    server.sin_port = htons(static_cast<std::uint16_t>(port));
    servers_.push_back(server);
  }
  // Several loopback source addresses multiply the ephemeral ports available;
  // they only make sense when the server itself is on loopback.
  if (opts.sources > 1 && opts.host.rfind("127.", 0) == 0) {
    for (int k = 1; k <= opts.sources; ++k) {
      sockaddr_in src{};
      src.sin_family = AF_INET;
      src.sin_addr.s_addr = htonl((127u << 24) | static_cast<std::uint32_t>(k));
      sources_.push_back(src);
    }
  }
}

client_loop::~client_loop() {
  close_all();
  if (epoll_fd_ >= 0)
    ::close(epoll_fd_);
}

std::uint32_t client_loop::add(conn_role role, std::uint32_t topic, std::uint32_t server) {
  auto index = static_cast<std::uint32_t>(conns_.size());
  auto& c = conns_.emplace_back();
  c.role = role;
  c.topic = topic;
  c.server = servers_.empty() ? 0 : static_cast<std::uint8_t>(server % servers_.size());
  c.index = index;
  return index;
}

std::uint32_t client_loop::add_topic(std::string name) {
  topics_.push_back(std::move(name));
  return static_cast<std::uint32_t>(topics_.size() - 1);
}

void client_loop::connect_failed(connection& c, std::string_view why) {
  ++errors_.connect_failed;
  errors_.note("connect", why);
  lose(c, {}, {});
}

void client_loop::start(std::uint32_t index) {
  auto& c = conns_[index];
  c.started_us = now_us();
  c.state = conn_state::connecting;
  c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c.fd < 0)
    return connect_failed(c, "socket: " + errno_text(errno));
  int one = 1;
  setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (!sources_.empty()) {
    // Defer the port choice to connect() so ports are shared across 4-tuples.
    setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    const auto& src = sources_[index % sources_.size()];
    if (::bind(c.fd, reinterpret_cast<const sockaddr*>(&src), sizeof src) != 0)
      return connect_failed(c, "bind: " + errno_text(errno));
  }
  const auto& server = servers_[c.server];
  if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0 &&
      errno != EINPROGRESS)
    return connect_failed(c, "connect: " + errno_text(errno));
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT;
  ev.data.u32 = index;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &ev) != 0)
    return connect_failed(c, "epoll_ctl: " + errno_text(errno));
  c.write_armed = true;
}

void client_loop::poll(int timeout_ms) {
  epoll_event events[max_events];
  int n = epoll_wait(epoll_fd_, events, max_events, timeout_ms);
  counters_.wakeups += n > 0;
  for (int i = 0; i < n; ++i) {
    auto& c = conns_[events[i].data.u32];
    if (c.state == conn_state::closed)
      continue;
    if (events[i].events & EPOLLOUT)
      on_writable(c);
    if (c.state != conn_state::closed && !c.stalled &&
        (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
      on_readable(c);
  }
}

void client_loop::on_writable(connection& c) {
  if (c.state == conn_state::connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0)
      return connect_failed(c, "connect: " + errno_text(err));
    c.state = conn_state::upgrading;
    append_upgrade_request(c.out, opts_.host, ntohs(servers_[c.server].sin_port),
                           codec_.target(c, *this), codec_.subprotocol());
  }
  flush(c);
}

void client_loop::arm_write(connection& c, bool on) {
  if (c.write_armed == on)
    return;
  c.write_armed = on;
  update_interest(c);
}

void client_loop::update_interest(connection& c) {
  epoll_event ev{};
  ev.events = (c.stalled ? 0u : EPOLLIN) | (c.write_armed ? EPOLLOUT : 0u);
  ev.data.u32 = c.index;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
}

void client_loop::stall(connection& c) {
  if (c.state == conn_state::closed || c.stalled)
    return;
  c.stalled = true;
  update_interest(c);
}

void client_loop::flush(connection& c) {
  std::size_t done = 0;
  while (done < c.out.size()) {
    auto n = ::send(c.fd, c.out.data() + done, c.out.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      break;
    return lose(c, "write", errno_text(errno));
  }
  c.out.erase(0, done);
  arm_write(c, !c.out.empty());
}

void client_loop::send(connection& c, ws_opcode op, std::string_view payload) {
  if (c.state == conn_state::closed)
    return;
  append_client_frame(c.out, op, payload);
  flush(c);
}

void client_loop::send_raw(connection& c, std::string_view bytes) {
  if (c.state == conn_state::closed)
    return;
  c.out.append(bytes);
  flush(c);
}

bool client_loop::publish(connection& c, std::uint64_t seq, bool flush_now) {
  if (c.state != conn_state::ready || c.out.size() > max_backlog)
    return false;
  codec_.append_publish(c.out, c, *this, seq, relative(now_us()));
  if (flush_now)
    flush(c);
  return true;
}

bool client_loop::presence_push(connection& c, bool track, std::uint64_t seq, bool flush_now) {
  if (c.state != conn_state::ready || c.out.size() > max_backlog)
    return false;
  if (!codec_.append_presence(c.out, c, *this, track, seq, relative(now_us())))
    return false;
  ++c.in_flight;
  if (flush_now)
    flush(c);
  return true;
}

void client_loop::heartbeat_slice(std::uint64_t phase, std::uint64_t slices) {
  for (std::size_t i = phase % slices; i < conns_.size(); i += slices) {
    auto& c = conns_[i];
    // A stalled client sends nothing either: the server's write side alone
    // has to notice it.
    if ((c.state == conn_state::ready || c.state == conn_state::open) && !c.stalled)
      codec_.heartbeat(c, *this);
  }
}

void client_loop::on_readable(connection& c) {
  char* buf = read_buf_.data();
  for (;;) {
    auto have = c.pending.size();
    if (have > 0)
      std::memcpy(buf, c.pending.data(), have);
    auto n = ::read(c.fd, buf + have, read_buffer_size - have);
    if (n == 0)
      return lose(c, "disconnect", "server closed the TCP connection");
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        lose(c, "disconnect", errno_text(errno));
      return;
    }
    ++counters_.reads;
    now_rel_ = now_us() - origin_;
    auto total = have + static_cast<std::size_t>(n);
    auto used = consume(c, {buf, total});
    if (c.state == conn_state::closed)
      return;
    c.pending.assign(buf + used, total - used);
    // A short read means the socket is empty for now (epoll is level-triggered).
    if (static_cast<std::size_t>(n) < read_buffer_size - have)
      return;
  }
}

bool client_loop::consume_upgrade(connection& c, std::string_view data, std::size_t& used) {
  upgrade_answer answer;
  if (!parse_upgrade_answer(data, answer)) {
    if (data.size() >= read_buffer_size / 2) {
      protocol_error(c, "upgrade response head too large");
    }
    return false;
  }
  if (answer.status != 101) {
    ++errors_.refused;
    errors_.note("refused", data.substr(0, 300));
    lose(c, {}, {});
    return false;
  }
  used = answer.head_size;
  c.state = conn_state::open;
  ++counters_.opened;
  counters_.last_open_us = now_us();
  codec_.on_open(c, *this);
  return c.state != conn_state::closed;
}

std::size_t client_loop::consume(connection& c, std::string_view data) {
  std::size_t off = 0;
  if (c.state == conn_state::upgrading && !consume_upgrade(c, data, off))
    return 0;
  while (off < data.size()) {
    server_frame frame;
    std::size_t needed = 0;
    auto status = parse_server_frame(data.substr(off), frame, needed);
    if (status == parse_status::incomplete) {
      if (needed > read_buffer_size) {
        protocol_error(c, "server frame larger than the read buffer");
      }
      break;
    }
    if (status == parse_status::invalid) {
      protocol_error(c, "masked frame or reserved bits from the server");
      break;
    }
    off += frame.size;
    handle_frame(c, frame);
    if (c.state == conn_state::closed)
      break;
  }
  return off;
}

void client_loop::handle_frame(connection& c, const server_frame& frame) {
  switch (frame.op) {
    case ws_opcode::text:
    case ws_opcode::binary:
      c.binary_message = frame.op == ws_opcode::binary;
      [[fallthrough]];
    case ws_opcode::continuation:
      codec_.on_message(c, frame.payload, c.binary_message, *this);
      return;
    case ws_opcode::ping:
      return send(c, ws_opcode::pong, frame.payload);
    case ws_opcode::pong:
      return;
    case ws_opcode::close:
      return handle_close_frame(c, frame.payload);
  }
  protocol_error(c, "reserved opcode from the server");
}

void client_loop::handle_close_frame(connection& c, std::string_view payload) {
  ++errors_.close_frames;
  std::string text = "code ";
  if (payload.size() >= 2) {
    auto code = (static_cast<unsigned>(static_cast<unsigned char>(payload[0])) << 8) |
                static_cast<unsigned char>(payload[1]);
    text += std::to_string(code);
    text += ' ';
    text.append(payload.substr(2));
  } else {
    text += "none";
  }
  errors_.note("close frame", text);
  lose(c, {}, {});
}

void client_loop::mark_ready(connection& c) {
  if (c.state == conn_state::ready || c.state == conn_state::closed)
    return;
  c.state = conn_state::ready;
  c.was_ready = true;
  ++counters_.ready;
  auto now = now_us();
  counters_.last_ready_us = now;
  if (c.subscribe_us > 0)
    join_latency_.add(now - c.subscribe_us);
}

void client_loop::mark_live(connection& c) {
  if (c.live)
    return;
  c.live = true;
  ++changes_.live;
  changes_.last_live_us = now_us();
}

void client_loop::deliver_change(connection& c, bool has_id, std::uint64_t id, bool has_ts,
                                 std::int64_t row_real_us) {
  auto now = now_us();
  if (changes_.frames == 0)
    changes_.first_us = now;
  changes_.last_us = now;
  ++changes_.frames;
  ++counters_.received;
  ++c.received;
  if (has_id) {
    if (change_ids_.size() <= c.index)
      change_ids_.resize(conns_.size());
    change_ids_[c.index].push_back(id);
  } else {
    ++changes_.without_id;
  }
  if (!has_ts)
    ++changes_.without_ts;
  else if (recording_)
    latency_.add(realtime_us() - row_real_us);
}

void client_loop::report_error(connection& c, std::string_view what, bool fatal) {
  ++errors_.error_replies;
  errors_.note("error reply", what);
  if (fatal)
    lose(c, {}, {});
}

void client_loop::report_channel_close(connection& c, std::string_view what) {
  (void)c;
  ++errors_.channel_closes;
  errors_.note("channel closed", what);
}

void client_loop::protocol_error(connection& c, std::string_view what) {
  ++errors_.protocol_errors;
  errors_.note("protocol error", what);
  lose(c, {}, {});
}

void client_loop::report_unexpected(std::string_view what) {
  ++errors_.unexpected;
  errors_.note("unexpected", what);
}

// Ends `c`. With a `kind`, the loss is counted as a disconnect and noted.
void client_loop::lose(connection& c, std::string_view kind, std::string_view why) {
  if (c.state == conn_state::closed)
    return;
  if (!closing_) {
    if (!kind.empty()) {
      ++errors_.disconnects;
      errors_.note(kind, why);
    }
    if (c.state == conn_state::ready)
      ++errors_.lost_after_ready;
    else
      ++errors_.failed_before_ready;
  }
  if (c.fd >= 0) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
  }
  c.fd = -1;
  c.state = conn_state::closed;
  std::string{}.swap(c.pending);
  std::string{}.swap(c.out);
}

void client_loop::close_all() {
  closing_ = true;
  // An abortive close (RST) leaves no TIME_WAIT socket behind on the client
  // side, so runs of tens of thousands of sockets can follow each other
  // without exhausting the ephemeral ports of a source address.
  linger abort{};
  abort.l_onoff = 1;
  abort.l_linger = 0;
  for (auto& c : conns_) {
    if (c.fd >= 0)
      setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    lose(c, {}, {});
  }
}

} // namespace bench
