#include "rt/db/slot_admin.hpp"

#include "rt/db/wal_stream.hpp"

namespace rt::db {

namespace {

// Each column's type followed through domains (of domains) to the base
// type its values convert as.
constexpr const char* relation_facts_sql = R"sql(
WITH RECURSIVE chain AS (
  SELECT a.attnum, a.attname, t.typname, t.oid AS value_oid, t.typtype, t.typbasetype
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
  WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT c.attnum, c.attname, c.typname, b.oid, b.typtype, b.typbasetype
  FROM chain c JOIN pg_catalog.pg_type b ON b.oid = c.typbasetype
  WHERE c.typtype = 'd'
)
SELECT c.attname, c.typname, c.value_oid,
       CASE WHEN v.typcategory = 'A' THEN v.typelem ELSE 0 END,
       EXISTS (SELECT 1 FROM pg_catalog.pg_index i
               WHERE i.indrelid = $1 AND i.indisprimary AND c.attnum = ANY (i.indkey))
FROM chain c JOIN pg_catalog.pg_type v ON v.oid = c.value_oid
WHERE c.typtype <> 'd'
ORDER BY c.attnum
)sql";

} // namespace

tl::expected<replication::relation_facts, db_error> read_relation_facts(PGconn* conn,
                                                                         std::uint32_t relid) {
  constexpr Oid oid_type = 26;
  auto r = exec(conn, relation_facts_sql, {std::to_string(relid)}, {oid_type});
  if (!r)
    return tl::unexpected(r.error());
  replication::relation_facts facts;
  for (int row = 0; row < PQntuples(r->get()); ++row) {
    std::string name{field(r->get(), row, 0).value_or("")};
    replication::column_type type{std::string{field(r->get(), row, 1).value_or("")},
                                  static_cast<std::uint32_t>(field_int(r->get(), row, 2)),
                                  static_cast<std::uint32_t>(field_int(r->get(), row, 3))};
    if (field(r->get(), row, 4).value_or("f") == "t")
      facts.primary_key.push_back(name);
    facts.columns.emplace_back(std::move(name), std::move(type));
  }
  return facts;
}

tl::expected<std::optional<slot_status>, db_error> read_slot_status(PGconn* conn,
                                                                    const std::string& slot) {
  auto r = exec(conn,
                "SELECT coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::int8, "
                "coalesce(wal_status, ''), active FROM pg_replication_slots WHERE slot_name = $1",
                {slot});
  if (!r)
    return tl::unexpected(r.error());
  if (PQntuples(r->get()) == 0)
    return std::optional<slot_status>{};
  slot_status s;
  s.retained_bytes = field_int(r->get(), 0, 0);
  s.wal_status = std::string{field(r->get(), 0, 1).value_or("")};
  s.active = field(r->get(), 0, 2).value_or("f") == "t";
  return s;
}

tl::expected<std::int64_t, db_error> max_slot_wal_keep_size_mb(PGconn* conn) {
  auto r = exec(conn, "SELECT setting::int8 FROM pg_settings WHERE name = 'max_slot_wal_keep_size'");
  if (!r)
    return tl::unexpected(r.error());
  if (PQntuples(r->get()) == 0)
    return -1;
  return field_int(r->get(), 0, 0);
}

tl::expected<void, db_error> drop_slot(PGconn* conn, const std::string& slot) {
  auto r = exec(conn, "SELECT pg_drop_replication_slot($1)", {slot});
  if (!r)
    return tl::unexpected(r.error());
  return {};
}

tl::expected<bool, db_error> publication_exists(PGconn* conn, const std::string& publication) {
  auto r = exec(conn, "SELECT 1 FROM pg_publication WHERE pubname = $1", {publication});
  if (!r)
    return tl::unexpected(r.error());
  return PQntuples(r->get()) > 0;
}

tl::expected<void, db_error> create_publication(PGconn* conn, const std::string& publication) {
  if (!valid_publication_name(publication))
    return tl::unexpected(db_error{{}, "invalid publication name"});
  auto r = exec_simple(conn, "CREATE PUBLICATION " + quote_identifier(publication));
  if (!r)
    return tl::unexpected(r.error());
  return {};
}

} // namespace rt::db
