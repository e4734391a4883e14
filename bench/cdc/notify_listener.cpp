// cdc-notify-listener: the LISTEN side of the "trigger + NOTIFY" contender of
// bench/cdc.sh. One libpq connection does LISTEN <channel> and counts the
// notifications an AFTER INSERT ... FOR EACH ROW trigger sends with
// pg_notify(<channel>, row_to_json(NEW)::text). Each payload's "id" counts
// for drops and duplicates, its "c" (the row's clock_timestamp()) against
// CLOCK_REALTIME at receipt gives the latency.
//
// Bounded: stops at --expect notifications, after --idle-seconds without one
// (once one came), --first-seconds without any, or --max-seconds.
// Prints one JSON object (cdc_common.hpp) to stdout or --json FILE.

#include <libpq-fe.h>

#include "cdc_common.hpp"

namespace {

const char* usage =
  "cdc-notify-listener --conninfo 'host=.. port=.. user=.. dbname=..' [--channel bench]\n"
  "  [--expect N] [--idle-seconds 5] [--first-seconds 60] [--max-seconds 120]\n"
  "  [--id-key id] [--ts-key c] [--ready-file F] [--json F]\n";

} // namespace

int main(int argc, char** argv) {
  cdc::args a{argc, argv, usage};
  auto conninfo = a.str("conninfo", "");
  auto channel = a.str("channel", "bench");
  auto expect = static_cast<std::uint64_t>(a.num("expect", 0));
  auto idle_us = static_cast<std::int64_t>(a.num("idle-seconds", 5) * 1e6);
  auto first_us = static_cast<std::int64_t>(a.num("first-seconds", 60) * 1e6);
  auto max_us = static_cast<std::int64_t>(a.num("max-seconds", 120) * 1e6);
  auto id_key = "\"" + a.str("id-key", "id") + "\":";
  auto ts_key = "\"" + a.str("ts-key", "c") + "\":";
  auto start_real = bench::realtime_us();
  auto start = cdc::mono_us();

  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::cerr << "cdc-notify-listener: " << PQerrorMessage(conn);
    return 1;
  }
  std::string listen = "LISTEN " + channel;
  PGresult* res = PQexec(conn, listen.c_str());
  if (PQresultStatus(res) != PGRES_COMMAND_OK) {
    std::cerr << "cdc-notify-listener: " << PQerrorMessage(conn);
    return 1;
  }
  PQclear(res);
  auto ready_real = bench::realtime_us();
  auto ready = cdc::mono_us();
  // The ready file holds the backend PID, whose CPU bench/cdc.sh samples.
  cdc::touch(a.str("ready-file", ""), std::to_string(PQbackendPID(conn)));
  std::cerr << "cdc-notify-listener: listening on " << channel << '\n';

  cdc::tally t;
  std::uint64_t bytes = 0;
  std::string stop;
  int fd = PQsocket(conn);
  for (;;) {
    stop = cdc::stop_reason(t, {expect, idle_us, first_us, max_us, start, ready}, cdc::mono_us());
    if (!stop.empty())
      break;
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, 10);
    if (!PQconsumeInput(conn)) {
      std::cerr << "cdc-notify-listener: " << PQerrorMessage(conn);
      stop = "connection_lost";
      break;
    }
    while (PGnotify* n = PQnotifies(conn)) {
      std::string_view payload{n->extra};
      bytes += payload.size();
      std::uint64_t id = 0;
      bool has_id = cdc::leading_integer(cdc::flat_value(payload, id_key), id);
      auto ts = bench::parse_iso_us(cdc::unquote(cdc::flat_value(payload, ts_key)));
      t.add(has_id, id, ts.has_value(), ts.value_or(0));
      PQfreemem(n);
    }
  }
  PQfinish(conn);
  cdc::emit(a.str("json", ""),
            t.json("notify_listener", expect, stop, start_real, ready_real, start, ready,
                   "\"payload_bytes\":" + std::to_string(bytes) + ","));
  return 0;
}
