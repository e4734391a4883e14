#pragma once

// Lets another thread interrupt a blocking libpq call (PQcancel): a thread
// arms it with its connection before a call that may wait long (creating a
// replication slot waits for every running transaction to end) and disarms
// it after; interrupt() cancels the armed call, and any call armed later.
// Thread-safe.

#include <mutex>

#include <libpq-fe.h>

namespace rt::db {

class interrupter {
public:
  interrupter() = default;
  interrupter(const interrupter&) = delete;
  interrupter& operator=(const interrupter&) = delete;
  ~interrupter();

  /// Arms it with `conn`. False when interrupt() came already: do not start
  /// the call.
  [[nodiscard]] bool arm(PGconn* conn);

  /// Disarms it (before the connection is closed).
  void disarm();

  /// Cancels the armed call, if any; every later arm() fails.
  void interrupt();

private:
  std::mutex mutex_;
  PGcancel* cancel_ = nullptr;
  bool interrupted_ = false;
};

} // namespace rt::db
