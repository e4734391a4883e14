#pragma once

// A regular session opened on first use and again after it broke, for the
// detached actors that ask the database one request at a time. A session that
// looked fine may have died with its server (a restart), which only shows on
// use: with_session() gives a broken old session one more try on a new one.

#include <optional>

#include "rt/db/config.hpp"
#include "rt/db/connection.hpp"

namespace rt::db {

class lazy_connection {
public:
  explicit lazy_connection(database_config cfg) : cfg_(std::move(cfg)) {}

  const database_config& config() const noexcept { return cfg_; }

  /// Why the last attempt to open a session failed.
  const db_error& last_error() const noexcept { return last_error_; }

  /// Runs `ask(conn)` (which returns some optional) on an open session;
  /// when the session broke during the call, once more on a new one. nullopt
  /// when no session could be opened or both calls broke theirs.
  template <class Ask>
  auto with_session(Ask&& ask) -> decltype(ask(static_cast<PGconn*>(nullptr))) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool fresh = false;
      if (!open(fresh))
        break;
      auto out = ask(conn_.get());
      if (PQstatus(conn_.get()) == CONNECTION_OK)
        return out;
      conn_.reset();
      if (fresh)
        break;
    }
    return std::nullopt;
  }

private:
  /// Opens a session unless one is open; `fresh` tells whether it is new.
  bool open(bool& fresh);

  database_config cfg_;
  connection conn_;
  db_error last_error_;
};

} // namespace rt::db
