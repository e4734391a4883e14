#include "rt/db/realtime_schema.hpp"

namespace rt::db {

namespace {

// Any lock id works as long as every node uses the same one.
constexpr std::string_view migration_lock = "SELECT pg_advisory_xact_lock(4207310573)";

constexpr std::string_view versions_table = R"sql(
CREATE SCHEMA IF NOT EXISTS realtime;
CREATE TABLE IF NOT EXISTS realtime.schema_versions (
  version bigint PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
)sql";

constexpr std::string_view messages_table = R"sql(
CREATE TABLE IF NOT EXISTS realtime.messages (
  topic text NOT NULL,
  extension text NOT NULL,
  payload jsonb,
  event text,
  private boolean DEFAULT false,
  updated_at timestamp NOT NULL DEFAULT now(),
  inserted_at timestamp NOT NULL DEFAULT now(),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  PRIMARY KEY (id, inserted_at)
) PARTITION BY RANGE (inserted_at);
ALTER TABLE realtime.messages ADD COLUMN IF NOT EXISTS binary_payload bytea;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint
                 WHERE conname = 'messages_payload_exclusive'
                   AND conrelid = 'realtime.messages'::regclass) THEN
    ALTER TABLE realtime.messages ADD CONSTRAINT messages_payload_exclusive
      CHECK (payload IS NULL OR binary_payload IS NULL);
  END IF;
END $$;
ALTER TABLE realtime.messages ENABLE ROW LEVEL SECURITY;
CREATE INDEX IF NOT EXISTS messages_replay_idx ON realtime.messages (topic, inserted_at)
  WHERE extension = 'broadcast' AND private IS TRUE;
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('GRANT USAGE ON SCHEMA realtime TO %I', r);
      EXECUTE format('GRANT SELECT, INSERT, UPDATE ON realtime.messages TO %I', r);
    END IF;
  END LOOP;
END $$;
)sql";

// realtime.send keeps Supabase's contract: the row's id goes into an object
// payload that has none, the topic is visible to policies through
// realtime.topic(), and a failure becomes a warning so that the caller's
// transaction goes on.
constexpr std::string_view functions = R"sql(
CREATE OR REPLACE FUNCTION realtime.topic() RETURNS text
LANGUAGE sql STABLE AS $fn$
  SELECT nullif(current_setting('realtime.topic', true), '')
$fn$;

CREATE OR REPLACE FUNCTION realtime.send(payload jsonb, event text, topic text,
                                         private boolean DEFAULT true) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  row_id uuid := gen_random_uuid();
  body jsonb := payload;
BEGIN
  BEGIN
    IF jsonb_typeof(body) = 'object' AND NOT body ? 'id' THEN
      body := body || jsonb_build_object('id', row_id);
    END IF;
    PERFORM set_config('realtime.topic', topic, true);
    INSERT INTO realtime.messages (id, payload, event, topic, private, extension)
    VALUES (row_id, body, event, topic, private, 'broadcast');
  EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'WarnSendingBroadcastMessage: %', SQLERRM;
  END;
END
$fn$;

CREATE OR REPLACE FUNCTION realtime.send_binary(payload bytea, event text, topic text,
                                                private boolean DEFAULT true) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  BEGIN
    PERFORM set_config('realtime.topic', topic, true);
    INSERT INTO realtime.messages (binary_payload, event, topic, private, extension)
    VALUES (payload, event, topic, private, 'broadcast');
  EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'WarnSendingBroadcastMessage: %', SQLERRM;
  END;
END
$fn$;

CREATE OR REPLACE FUNCTION realtime.broadcast_changes(topic_name text, event_name text,
    operation text, table_name text, table_schema text, new record, old record,
    level text DEFAULT 'ROW') RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  IF level = 'STATEMENT' THEN
    RAISE EXCEPTION 'function can only be triggered for each row, not for each statement';
  END IF;
  IF operation NOT IN ('INSERT', 'UPDATE', 'DELETE') THEN
    RAISE EXCEPTION 'Unexpected operation type: %', operation;
  END IF;
  PERFORM realtime.send(
    jsonb_build_object('old_record', old, 'record', new, 'operation', operation,
                       'table', table_name, 'schema', table_schema),
    event_name, topic_name);
END
$fn$;

DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('GRANT EXECUTE ON FUNCTION realtime.topic() TO %I', r);
    END IF;
  END LOOP;
END $$;
)sql";

// Database broadcast streams realtime.messages through a publication of its
// own (Supabase's name), which must hold that table and nothing else.
constexpr std::string_view messages_publication = R"sql(
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_publication
                 WHERE pubname = 'supabase_realtime_messages_publication') THEN
    CREATE PUBLICATION supabase_realtime_messages_publication FOR TABLE realtime.messages;
  ELSIF NOT EXISTS (SELECT 1 FROM pg_publication_tables
                    WHERE pubname = 'supabase_realtime_messages_publication'
                      AND schemaname = 'realtime' AND tablename = 'messages') THEN
    ALTER PUBLICATION supabase_realtime_messages_publication SET TABLE realtime.messages;
  END IF;
END $$;
)sql";

tl::expected<void, db_error> run(PGconn* conn, std::string_view sql) {
  auto r = exec_simple(conn, std::string{sql});
  if (!r)
    return tl::unexpected(r.error());
  return {};
}

tl::expected<std::vector<std::int64_t>, db_error> apply_pending(PGconn* conn) {
  if (auto ok = run(conn, migration_lock); !ok)
    return tl::unexpected(ok.error());
  if (auto ok = run(conn, versions_table); !ok)
    return tl::unexpected(ok.error());
  std::vector<std::int64_t> applied;
  for (const auto& m : realtime_migrations()) {
    auto seen = exec(conn, "SELECT 1 FROM realtime.schema_versions WHERE version = $1",
                     {std::to_string(m.version)});
    if (!seen)
      return tl::unexpected(seen.error());
    if (PQntuples(seen->get()) > 0)
      continue;
    if (auto ok = run(conn, m.sql); !ok)
      return tl::unexpected(ok.error());
    auto noted = exec(conn, "INSERT INTO realtime.schema_versions (version, name) VALUES ($1, $2)",
                      {std::to_string(m.version), std::string{m.name}});
    if (!noted)
      return tl::unexpected(noted.error());
    applied.push_back(m.version);
  }
  return applied;
}

// Runs each statement `query` (with the integer `arg` as $1) returns, one per
// row; returns how many ran.
tl::expected<int, db_error> run_each_statement(PGconn* conn, const std::string& query, int arg) {
  auto statements = exec(conn, query, {std::to_string(arg)});
  if (!statements)
    return tl::unexpected(statements.error());
  int count = PQntuples(statements->get());
  for (int i = 0; i < count; ++i) {
    auto done = exec_simple(conn, std::string{field(statements->get(), i, 0).value_or("")});
    if (!done)
      return tl::unexpected(done.error());
  }
  return count;
}

tl::expected<partition_upkeep, db_error> keep_partitions_locked(PGconn* conn) {
  if (auto ok = run(conn, migration_lock); !ok)
    return tl::unexpected(ok.error());
  auto created = run_each_statement(
    conn,
    "SELECT format('CREATE TABLE IF NOT EXISTS realtime.%I PARTITION OF realtime.messages "
    "FOR VALUES FROM (%L) TO (%L)', 'messages_' || to_char(d, 'YYYY_MM_DD'), d::date, "
    "(d + interval '1 day')::date) "
    "FROM generate_series(current_date - 1, current_date + $1::int, interval '1 day') d "
    "WHERE to_regclass('realtime.messages_' || to_char(d, 'YYYY_MM_DD')) IS NULL",
    message_days_ahead);
  if (!created)
    return tl::unexpected(created.error());
  auto dropped = run_each_statement(
    conn,
    "SELECT format('DROP TABLE IF EXISTS realtime.%I', c.relname) FROM pg_inherits i "
    "JOIN pg_class c ON c.oid = i.inhrelid "
    "WHERE i.inhparent = 'realtime.messages'::regclass "
    "AND c.relname ~ '^messages_[0-9]{4}_[0-9]{2}_[0-9]{2}$' "
    // Compared as text (YYYY_MM_DD sorts as dates do): a parse could run on
    // another partition's name before the pattern filtered it out.
    "AND c.relname < 'messages_' || to_char(current_date - $1::int, 'YYYY_MM_DD')",
    message_retention_days);
  if (!dropped)
    return tl::unexpected(dropped.error());
  return partition_upkeep{*created, *dropped};
}

// Runs `body` in a transaction, committed when it succeeds.
template <class Body>
auto in_transaction(PGconn* conn, Body&& body) -> decltype(body()) {
  if (auto ok = run(conn, "BEGIN"); !ok)
    return tl::unexpected(ok.error());
  auto out = body();
  auto end = run(conn, out ? "COMMIT" : "ROLLBACK");
  if (out && !end)
    return tl::unexpected(end.error());
  return out;
}

} // namespace

const std::vector<schema_migration>& realtime_migrations() {
  static const std::vector<schema_migration> all{
    {1, "messages table", messages_table},
    {2, "topic, send, send_binary, broadcast_changes", functions},
    {3, "messages publication", messages_publication},
  };
  return all;
}

tl::expected<std::vector<std::int64_t>, db_error> migrate_realtime_schema(PGconn* conn) {
  return in_transaction(conn, [&] { return apply_pending(conn); });
}

tl::expected<partition_upkeep, db_error> keep_message_partitions(PGconn* conn) {
  // Under the migrations' lock: nodes creating the same partition at once
  // would fail each other.
  return in_transaction(conn, [&] { return keep_partitions_locked(conn); });
}

} // namespace rt::db
