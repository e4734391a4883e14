#include "rt/db/interrupter.hpp"

#include <array>

namespace rt::db {

interrupter::~interrupter() {
  disarm();
}

bool interrupter::arm(PGconn* conn) {
  std::lock_guard guard{mutex_};
  if (interrupted_)
    return false;
  if (cancel_ != nullptr)
    PQfreeCancel(cancel_);
  cancel_ = PQgetCancel(conn);
  return true;
}

void interrupter::disarm() {
  std::lock_guard guard{mutex_};
  if (cancel_ != nullptr)
    PQfreeCancel(cancel_);
  cancel_ = nullptr;
}

void interrupter::interrupt() {
  std::lock_guard guard{mutex_};
  interrupted_ = true;
  if (cancel_ == nullptr)
    return;
  std::array<char, 256> error{};
  // A failed cancel (the call ended meanwhile) changes nothing.
  PQcancel(cancel_, error.data(), static_cast<int>(error.size()));
}

} // namespace rt::db
