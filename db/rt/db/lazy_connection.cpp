#include "rt/db/lazy_connection.hpp"

namespace rt::db {

bool lazy_connection::open(bool& fresh) {
  fresh = false;
  if (conn_ && PQstatus(conn_.get()) == CONNECTION_OK)
    return true;
  auto conn = connect(cfg_, session_kind::regular);
  if (!conn) {
    last_error_ = conn.error();
    conn_.reset();
    return false;
  }
  conn_ = std::move(*conn);
  fresh = true;
  return true;
}

} // namespace rt::db
