// cdc-pgoutput-sink: reads what `pg_recvlogical -f - -o proto_version=1
// -o publication_names=...` writes (every pgoutput message as is, followed by
// a newline) from stdin, decodes it, and counts the inserted rows as they
// arrive: the pg_recvlogical contender of bench/cdc.sh. The insert's "id"
// column gives drops and duplicates; its "c" column (the row's
// clock_timestamp(), in text) against CLOCK_REALTIME at receipt gives the
// latency, exactly as for the realtime subscriber.
//
// pgoutput protocol 1 messages handled: B C O R Y I U D T M. Anything else
// stops the sink with stop_reason "malformed".
//
// Bounded: --expect rows, end of input, --idle-seconds without rows (once
// one came), --first-seconds without any, --max-seconds. Prints one JSON
// object (cdc_common.hpp).

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "cdc_common.hpp"

namespace {

const char* usage =
  "pg_recvlogical ... -f - | cdc-pgoutput-sink [--expect N] [--idle-seconds 5]\n"
  "  [--first-seconds 60] [--max-seconds 120] [--id-column id] [--ts-column c] [--json F]\n";

struct relation {
  int id_col = -1;
  int ts_col = -1;
};

// Bounds-checked big-endian reader over one buffer.
struct cursor {
  const char* p;
  const char* end;
  bool short_ = false;

  bool need(std::size_t n) {
    if (static_cast<std::size_t>(end - p) < n)
      short_ = true;
    return !short_;
  }
  std::uint64_t be(int bytes) {
    if (!need(static_cast<std::size_t>(bytes)))
      return 0;
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
      v = (v << 8) | static_cast<unsigned char>(p[i]);
    p += bytes;
    return v;
  }
  std::string_view cstr() {
    auto* z = static_cast<const char*>(std::memchr(p, '\0', static_cast<std::size_t>(end - p)));
    if (z == nullptr) {
      short_ = true;
      return {};
    }
    std::string_view s{p, static_cast<std::size_t>(z - p)};
    p = z + 1;
    return s;
  }
  std::string_view bytes(std::size_t n) {
    if (!need(n))
      return {};
    std::string_view s{p, n};
    p += n;
    return s;
  }
};

class decoder {
public:
  decoder(std::string id_column, std::string ts_column, cdc::tally& t)
    : id_column_(std::move(id_column)), ts_column_(std::move(ts_column)), tally_(t) {}

  enum class status { ok, incomplete, malformed };

  // Decodes one message plus its trailing newline from [p, end); sets `used`.
  status one(const char* p, const char* end, std::size_t& used) {
    cursor c{p, end};
    row_ = pending_row{};
    auto type = static_cast<char>(c.be(1));
    if (c.short_)
      return status::incomplete;
    switch (type) {
      case 'B':
        c.bytes(20);
        break;
      case 'C':
        c.bytes(25);
        break;
      case 'O':
        c.bytes(8);
        c.cstr();
        break;
      case 'Y':
        c.bytes(4);
        c.cstr();
        c.cstr();
        break;
      case 'R':
        relation_message(c);
        break;
      case 'I': {
        auto relid = static_cast<std::uint32_t>(c.be(4));
        if (c.be(1) != 'N' && !c.short_)
          return status::malformed;
        tuple(c, relid, true);
        break;
      }
      case 'U': {
        auto relid = static_cast<std::uint32_t>(c.be(4));
        auto k = c.be(1);
        if (k == 'K' || k == 'O') {
          tuple(c, relid, false);
          k = c.be(1);
        }
        if (k != 'N' && !c.short_)
          return status::malformed;
        tuple(c, relid, false);
        break;
      }
      case 'D':
        c.bytes(5);
        tuple(c, 0, false);
        break;
      case 'T': {
        auto n = c.be(4);
        c.bytes(1 + 4 * n);
        break;
      }
      case 'M': {
        c.bytes(9);
        c.cstr();
        auto n = c.be(4);
        c.bytes(n);
        break;
      }
      default:
        return status::malformed;
    }
    if (c.short_ || !c.need(1))
      return status::incomplete;
    if (*c.p != '\n')
      return status::malformed;
    used = static_cast<std::size_t>(c.p + 1 - p);
    // Counted only now: a message cut by the end of a read is decoded again.
    begins_ += type == 'B';
    if (row_.valid)
      tally_.add(row_.has_id, row_.id, row_.has_ts, row_.ts);
    return status::ok;
  }

  [[nodiscard]] std::uint64_t transactions() const { return begins_; }

private:
  // The insert of the message being decoded, reported once it is complete.
  struct pending_row {
    bool valid = false;
    bool has_id = false;
    bool has_ts = false;
    std::uint64_t id = 0;
    std::int64_t ts = 0;
  };

  void relation_message(cursor& c) {
    auto relid = static_cast<std::uint32_t>(c.be(4));
    c.cstr();
    c.cstr();
    c.be(1);
    auto ncols = static_cast<int>(c.be(2));
    relation r;
    for (int i = 0; i < ncols && !c.short_; ++i) {
      c.be(1);
      auto name = c.cstr();
      c.bytes(8);
      if (name == id_column_)
        r.id_col = i;
      if (name == ts_column_)
        r.ts_col = i;
    }
    if (!c.short_)
      relations_[relid] = r;
  }

  // TupleData; an insert's row (`count`) becomes the pending row.
  void tuple(cursor& c, std::uint32_t relid, bool count) {
    auto ncols = static_cast<int>(c.be(2));
    const relation* r = nullptr;
    if (count) {
      auto it = relations_.find(relid);
      if (it != relations_.end())
        r = &it->second;
    }
    std::uint64_t id = 0;
    bool has_id = false;
    std::int64_t ts = 0;
    bool has_ts = false;
    for (int i = 0; i < ncols && !c.short_; ++i) {
      auto kind = c.be(1);
      if (kind != 't' && kind != 'b')
        continue;
      auto len = c.be(4);
      auto value = c.bytes(len);
      if (r == nullptr || c.short_)
        continue;
      if (i == r->id_col)
        has_id = cdc::leading_integer(value, id);
      else if (i == r->ts_col)
        if (auto t = bench::parse_iso_us(value)) {
          ts = *t;
          has_ts = true;
        }
    }
    if (count && !c.short_)
      row_ = pending_row{true, has_id, has_ts, id, ts};
  }

  std::string id_column_;
  std::string ts_column_;
  cdc::tally& tally_;
  std::unordered_map<std::uint32_t, relation> relations_;
  pending_row row_;
  std::uint64_t begins_ = 0;
};

} // namespace

int main(int argc, char** argv) {
  cdc::args a{argc, argv, usage};
  auto expect = static_cast<std::uint64_t>(a.num("expect", 0));
  auto idle_us = static_cast<std::int64_t>(a.num("idle-seconds", 5) * 1e6);
  auto first_us = static_cast<std::int64_t>(a.num("first-seconds", 60) * 1e6);
  auto max_us = static_cast<std::int64_t>(a.num("max-seconds", 120) * 1e6);
  auto start_real = bench::realtime_us();
  auto start = cdc::mono_us();
  cdc::tally t;
  decoder d{a.str("id-column", "id"), a.str("ts-column", "c"), t};

  std::vector<char> buf(4u << 20);
  std::size_t have = 0;
  std::uint64_t bytes = 0;
  std::string stop;
  for (;;) {
    stop = cdc::stop_reason(t, {expect, idle_us, first_us, max_us, start, start}, cdc::mono_us());
    if (!stop.empty())
      break;
    pollfd p{0, POLLIN, 0};
    if (::poll(&p, 1, 10) <= 0)
      continue;
    if (have == buf.size())
      buf.resize(buf.size() * 2);
    auto n = ::read(0, buf.data() + have, buf.size() - have);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      stop = "eof";
      break;
    }
    bytes += static_cast<std::uint64_t>(n);
    have += static_cast<std::size_t>(n);
    std::size_t off = 0;
    bool bad = false;
    while (off < have) {
      std::size_t used = 0;
      auto st = d.one(buf.data() + off, buf.data() + have, used);
      if (st == decoder::status::incomplete)
        break;
      if (st == decoder::status::malformed) {
        bad = true;
        break;
      }
      off += used;
    }
    if (bad) {
      stop = "malformed";
      break;
    }
    std::memmove(buf.data(), buf.data() + off, have - off);
    have -= off;
  }
  cdc::emit(a.str("json", ""),
            t.json("pgoutput_sink", expect, stop, start_real, start_real, start, start,
                   "\"bytes\":" + std::to_string(bytes) +
                     ",\"transactions\":" + std::to_string(d.transactions()) + ","));
  return 0;
}
