#include "rt/db/message_replay.hpp"

#include "rt/replication/message_row.hpp"

namespace rt::db {

namespace {

// Rows of one day share a partition, so ctid orders the rows of one
// transaction (which share inserted_at) as they were inserted: they are only
// ever inserted.
constexpr const char* replay_sql = R"sql(
SELECT id::text, event, payload::text, binary_payload::text FROM (
  SELECT id, event, payload, binary_payload, inserted_at, ctid
    FROM realtime.messages
   WHERE topic = $1 AND private IS TRUE AND extension = 'broadcast'
     AND inserted_at >= (to_timestamp($2::bigint / 1000.0) AT TIME ZONE 'UTC')
     AND inserted_at < (now() AT TIME ZONE 'UTC') + interval '1 minute'
   ORDER BY inserted_at DESC, ctid DESC
   LIMIT $3::bigint) newest
ORDER BY inserted_at, ctid
)sql";

std::optional<stored_message> read_row(const PGresult* r, int row) {
  auto id = field(r, row, 0);
  auto event = field(r, row, 1);
  auto payload = field(r, row, 2);
  auto binary = field(r, row, 3);
  if (!id || !event || (!payload && !binary))
    return std::nullopt;
  stored_message m{std::string{*id}, std::string{*event}, {}, std::nullopt};
  if (binary) {
    m.binary = replication::bytea_from_hex(*binary);
    if (!m.binary)
      return std::nullopt;
  } else {
    m.payload_json = std::string{*payload};
  }
  return m;
}

} // namespace

tl::expected<std::vector<stored_message>, db_error>
replay_messages(PGconn* conn, const std::string& topic, std::int64_t since_ms,
                std::int64_t limit) {
  auto r = exec(conn, replay_sql, {topic, std::to_string(since_ms), std::to_string(limit)});
  if (!r)
    return tl::unexpected(r.error());
  std::vector<stored_message> out;
  for (int row = 0; row < PQntuples(r->get()); ++row)
    if (auto m = read_row(r->get(), row))
      out.push_back(std::move(*m));
  return out;
}

} // namespace rt::db
