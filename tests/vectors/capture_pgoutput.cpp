// Captures the pgoutput messages a workload produces, as test vectors.
//
//   capture_pgoutput --port P --dbname D --publication PUB --sql W.sql
//                    --transactions N --out W.hex [--proto 1|2] [--timeout S]
//
// Creates a temporary logical slot on a replication connection, runs W.sql on
// a second, regular connection, then streams the slot from its start and
// writes every XLogData payload (one pgoutput message, without the 25-byte
// 'w' header) as a line of lowercase hex. Keepalives are skipped. It stops
// once N transactions have ended (Commit, Stream Commit, or Stream Abort of a
// whole transaction) and nothing more arrives for --settle-ms; it fails when
// that does not happen within --timeout seconds or when more arrives.
//
// W.sql goes to the server as one simple Query, which PostgreSQL runs as a
// single transaction unless the file itself says BEGIN / COMMIT.
//
// A test-data generator, not server code: it blocks (on poll, with a deadline).

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <variant>

#include <CLI/CLI.hpp>

#include "rt/db/connection.hpp"
#include "rt/replication/walsender.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
  rt::db::database_config db;
  std::string publication;
  std::string sql_file;
  std::string out_file;
  int transactions = 1;
  int proto = 1;
  int timeout_s = 30;
  int settle_ms = 1000;
};

int fail(const std::string& what) {
  std::cerr << "capture_pgoutput: " << what << '\n';
  return 1;
}

std::string sql_literal(std::string_view s) {
  std::string out{"'"};
  for (char c : s) {
    if (c == '\'')
      out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

void append_hex(std::string& out, std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0xf]);
  }
  out.push_back('\n');
}

std::uint32_t be32(std::string_view s, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

// Whether `payload` ends a transaction. A Stream Abort whose subxid differs
// from its xid only rolls back a subtransaction.
bool ends_transaction(std::string_view payload) {
  if (payload.empty())
    return false;
  if (payload[0] == 'C' || payload[0] == 'c')
    return true;
  return payload[0] == 'A' && payload.size() >= 9 && be32(payload, 1) == be32(payload, 5);
}

std::string start_command(const options& opt, const std::string& slot) {
  std::string cmd = "START_REPLICATION SLOT " + slot + " LOGICAL 0/0 (proto_version '" +
                    std::to_string(opt.proto) + "'";
  if (opt.proto >= 2)
    cmd += ", streaming 'on'";
  cmd += ", publication_names " + sql_literal(rt::db::quote_identifier(opt.publication)) +
         ", messages 'true')";
  return cmd;
}

// Reads CopyData until the transactions have ended and the stream stayed quiet
// for the settle time; returns an error text, empty on success.
std::string stream(PGconn* conn, const options& opt, std::string& hex) {
  auto deadline = clock_type::now() + std::chrono::seconds{opt.timeout_s};
  std::optional<clock_type::time_point> settled_at;
  int ended = 0;
  for (;;) {
    char* buf = nullptr;
    int n = PQgetCopyData(conn, &buf, 1);
    if (n > 0) {
      std::string copy(buf, static_cast<std::size_t>(n));
      PQfreemem(buf);
      auto msg = rt::replication::decode_walsender(copy);
      if (!msg)
        return "bad CopyData: " + std::string{rt::replication::to_string(msg.error())};
      const auto* data = std::get_if<rt::replication::xlog_data>(&*msg);
      if (data == nullptr)
        continue; // keepalive
      if (settled_at)
        return "more messages after " + std::to_string(opt.transactions) +
               " transactions; raise --transactions";
      append_hex(hex, data->payload);
      if (ends_transaction(data->payload) && ++ended == opt.transactions)
        settled_at = clock_type::now() + std::chrono::milliseconds{opt.settle_ms};
      continue;
    }
    if (n == -1) {
      rt::db::result end{PQgetResult(conn)};
      std::string why = end ? PQresultErrorMessage(end.get()) : PQerrorMessage(conn);
      while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
        why.pop_back();
      return "the server ended the copy: " + why;
    }
    if (n < -1)
      return "reading CopyData: " + std::string{PQerrorMessage(conn)};
    auto now = clock_type::now();
    auto until = settled_at ? std::min(*settled_at, deadline) : deadline;
    if (now >= until) {
      if (settled_at)
        return {};
      return "timed out after " + std::to_string(ended) + " of " +
             std::to_string(opt.transactions) + " transactions";
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 1;
    pollfd pfd{PQsocket(conn), POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(wait)) < 0)
      return "poll failed";
    if (PQconsumeInput(conn) == 0)
      return "reading from the server: " + std::string{PQerrorMessage(conn)};
  }
}

int run(const options& opt) {
  std::ifstream in{opt.sql_file};
  if (!in)
    return fail("cannot read " + opt.sql_file);
  std::stringstream sql;
  sql << in.rdbuf();

  auto repl = rt::db::connect(opt.db, rt::db::session_kind::replication);
  if (!repl)
    return fail("replication connection: " + repl.error().message);
  auto slot = "vectors_" + std::to_string(getpid());
  auto created = rt::db::exec_simple(
    repl->get(), "CREATE_REPLICATION_SLOT " + slot + " TEMPORARY LOGICAL pgoutput NOEXPORT_SNAPSHOT");
  if (!created)
    return fail("CREATE_REPLICATION_SLOT: " + created.error().message);

  {
    auto regular = rt::db::connect(opt.db, rt::db::session_kind::regular);
    if (!regular)
      return fail("regular connection: " + regular.error().message);
    auto done = rt::db::exec_simple(regular->get(), sql.str());
    if (!done)
      return fail(opt.sql_file + ": " + done.error().message);
  }

  auto started = rt::db::exec_simple(repl->get(), start_command(opt, slot));
  if (!started)
    return fail("START_REPLICATION: " + started.error().message);
  std::string hex;
  if (auto error = stream(repl->get(), opt, hex); !error.empty())
    return fail(opt.sql_file + ": " + error);

  std::ofstream out{opt.out_file, std::ios::binary | std::ios::trunc};
  out << hex;
  out.close();
  if (!out)
    return fail("cannot write " + opt.out_file);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  options opt;
  opt.db.user = "postgres";
  CLI::App app{"Captures pgoutput messages of a workload as hex lines"};
  app.add_option("--host", opt.db.host, "PostgreSQL host")->capture_default_str();
  app.add_option("--port", opt.db.port, "PostgreSQL port")->required();
  app.add_option("--dbname", opt.db.name, "Database")->required();
  app.add_option("--user", opt.db.user, "Role with REPLICATION")->capture_default_str();
  app.add_option("--publication", opt.publication, "Publication to stream")->required();
  app.add_option("--sql", opt.sql_file, "Workload to run")->required();
  app.add_option("--out", opt.out_file, "Hex file to write")->required();
  app.add_option("--transactions", opt.transactions, "Transactions the workload ends")
    ->required()
    ->check(CLI::PositiveNumber);
  app.add_option("--proto", opt.proto, "pgoutput proto_version; 2 turns streaming on")
    ->check(CLI::Range(1, 2))
    ->capture_default_str();
  app.add_option("--timeout", opt.timeout_s, "Seconds to wait for the stream")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  app.add_option("--settle-ms", opt.settle_ms, "Quiet time that ends the capture")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return run(opt);
}
