// cdc-slot-poller: the "Supabase-style polling" contender of bench/cdc.sh.
// One libpq connection calls, again and again,
//
//   select data from pg_logical_slot_get_changes($slot, NULL, $batch,
//     'include-pk','true','include-transaction','false','include-timestamp','true',
//     'include-type-oids','true','format-version','2','actions','insert,update,delete')
//
// on a wal2json slot, as realtime.list_changes does in Supabase Realtime's
// RLS path with its default poll_max_changes = 100 (the per-subscriber
// apply_rls step that Realtime runs on top is not reproduced: it only adds
// cost). After a call that returns nothing it sleeps --sleep-ms (Realtime's
// poll_interval_ms, 100) in --mode live; in --mode drain it stops there.
//
// Every wal2json row with "action":"I" counts; its "id" and "c" column
// values give drops/duplicates and the latency (CLOCK_REALTIME at receipt
// minus the row's clock_timestamp()).
//
// Bounded: --expect rows, an empty call (drain), --idle-seconds without rows
// (live, once one came), --first-seconds without any, --max-seconds,
// --max-calls. In drain mode with --expect, an empty call is retried after
// --sleep-ms until --idle-seconds pass (the last asynchronous commits become
// decodable only once the WAL writer flushed them). Prints one JSON object
// (cdc_common.hpp).

#include <libpq-fe.h>
#include <unistd.h>

#include "cdc_common.hpp"

namespace {

const char* usage =
  "cdc-slot-poller --conninfo '...' --slot NAME [--batch 100] [--mode drain|live]\n"
  "  [--sleep-ms 100] [--expect N] [--idle-seconds 5] [--first-seconds 60]\n"
  "  [--max-seconds 120] [--max-calls 200000] [--ready-file F] [--json F]\n";

constexpr const char* query =
  "select data from pg_logical_slot_get_changes($1, NULL, $2::int, "
  "'include-pk','true','include-transaction','false','include-timestamp','true',"
  "'include-type-oids','true','format-version','2','actions','insert,update,delete')";

// The "value" of column `name` in a wal2json v2 change:
// ..."columns":[{"name":"id","type":"bigint","typeoid":20,"value":1},...]
std::string_view column_value(std::string_view data, const std::string& name_token) {
  auto p = data.find(name_token);
  if (p == std::string_view::npos)
    return {};
  return cdc::flat_value(data, "\"value\":", p + name_token.size());
}

} // namespace

int main(int argc, char** argv) {
  cdc::args a{argc, argv, usage};
  auto conninfo = a.str("conninfo", "");
  auto slot = a.str("slot", "");
  if (slot.empty())
    a.die("--slot is required");
  auto batch = std::to_string(static_cast<int>(a.num("batch", 100)));
  auto live = a.str("mode", "drain") == "live";
  auto sleep_us = static_cast<useconds_t>(a.num("sleep-ms", 100) * 1000);
  auto expect = static_cast<std::uint64_t>(a.num("expect", 0));
  auto idle_us = static_cast<std::int64_t>(a.num("idle-seconds", 5) * 1e6);
  auto first_us = static_cast<std::int64_t>(a.num("first-seconds", 60) * 1e6);
  auto max_us = static_cast<std::int64_t>(a.num("max-seconds", 120) * 1e6);
  auto max_calls = static_cast<std::uint64_t>(a.num("max-calls", 200000));
  auto id_token = "\"name\":\"" + a.str("id-column", "id") + "\"";
  auto ts_token = "\"name\":\"" + a.str("ts-column", "c") + "\"";
  auto start_real = bench::realtime_us();
  auto start = cdc::mono_us();

  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::cerr << "cdc-slot-poller: " << PQerrorMessage(conn);
    return 1;
  }
  PGresult* prep = PQprepare(conn, "poll", query, 2, nullptr);
  if (PQresultStatus(prep) != PGRES_COMMAND_OK) {
    std::cerr << "cdc-slot-poller: " << PQerrorMessage(conn);
    return 1;
  }
  PQclear(prep);
  auto ready_real = bench::realtime_us();
  auto ready = cdc::mono_us();
  // The ready file holds the backend PID, whose CPU bench/cdc.sh samples.
  cdc::touch(a.str("ready-file", ""), std::to_string(PQbackendPID(conn)));

  cdc::tally t;
  std::uint64_t calls = 0, empty_calls = 0, wal2json_rows = 0, bytes = 0;
  double call_seconds = 0;
  std::string stop;
  const char* params[2] = {slot.c_str(), batch.c_str()};
  for (;;) {
    auto now = cdc::mono_us();
    stop = cdc::stop_reason(t, {expect, idle_us, first_us, max_us, start, ready}, now,
                            live || expect > 0);
    if (!stop.empty())
      break;
    if (calls >= max_calls) {
      stop = "max_calls";
      break;
    }
    auto t0 = cdc::mono_us();
    PGresult* res = PQexecPrepared(conn, "poll", 2, params, nullptr, nullptr, 0);
    call_seconds += static_cast<double>(cdc::mono_us() - t0) / 1e6;
    ++calls;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
      std::cerr << "cdc-slot-poller: " << PQerrorMessage(conn);
      PQclear(res);
      stop = "error";
      break;
    }
    int n = PQntuples(res);
    for (int i = 0; i < n; ++i) {
      std::string_view data{PQgetvalue(res, i, 0), static_cast<std::size_t>(PQgetlength(res, i, 0))};
      ++wal2json_rows;
      bytes += data.size();
      if (data.find("\"action\":\"I\"") == std::string_view::npos)
        continue;
      std::uint64_t id = 0;
      bool has_id = cdc::leading_integer(column_value(data, id_token), id);
      auto ts = bench::parse_iso_us(cdc::unquote(column_value(data, ts_token)));
      t.add(has_id, id, ts.has_value(), ts.value_or(0));
    }
    PQclear(res);
    if (n == 0) {
      ++empty_calls;
      if (!live && expect == 0) {
        stop = "drained";
        break;
      }
      ::usleep(sleep_us);
    }
  }
  PQfinish(conn);
  std::string extra = "\"batch\":" + batch + ",\"mode\":\"" + (live ? "live" : "drain") +
                      "\",\"calls\":" + std::to_string(calls) +
                      ",\"empty_calls\":" + std::to_string(empty_calls) +
                      ",\"wal2json_rows\":" + std::to_string(wal2json_rows) +
                      ",\"wal2json_bytes\":" + std::to_string(bytes) +
                      ",\"seconds_in_calls\":" + std::to_string(call_seconds) + ",";
  cdc::emit(a.str("json", ""),
            t.json("slot_poller", expect, stop, start_real, ready_real, start, ready, extra));
  return 0;
}
