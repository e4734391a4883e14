// The realtime schema on a real database: migrations applied once and
// recorded, the functions' contracts, partitions made and dropped.

#include "rt/db/realtime_schema.hpp"

#include "rt/db/database_fixture.test.hpp"

namespace rt::db {
namespace {

class RealtimeSchema : public DatabaseTest {
protected:
  void migrate() {
    auto applied = migrate_realtime_schema(conn_.get());
    ASSERT_TRUE(applied) << applied.error().message;
  }
  void partitions() {
    auto kept = keep_message_partitions(conn_.get());
    ASSERT_TRUE(kept) << kept.error().message;
  }
};

TEST_F(RealtimeSchema, MigrationsRunOnceAndAreRecorded) {
  auto first = migrate_realtime_schema(conn_.get());
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->size(), realtime_migrations().size());
  auto again = migrate_realtime_schema(conn_.get());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(scalar("SELECT count(*) FROM realtime.schema_versions"),
            std::to_string(realtime_migrations().size()));
  EXPECT_EQ(scalar("SELECT relrowsecurity FROM pg_class WHERE oid = 'realtime.messages'::regclass"), "t");
  EXPECT_EQ(scalar("SELECT has_table_privilege('authenticated', 'realtime.messages', 'INSERT')"), "t");
}

TEST_F(RealtimeSchema, AFailingMigrationLeavesNothingBehind) {
  // A table of that name that is not partitioned makes the first migration fail.
  sql("CREATE SCHEMA realtime; CREATE TABLE realtime.messages (x int)");
  sql("CREATE TABLE realtime.schema_versions (version bigint PRIMARY KEY, name text NOT NULL, "
      "applied_at timestamptz NOT NULL DEFAULT now())");
  auto applied = migrate_realtime_schema(conn_.get());
  ASSERT_FALSE(applied);
  EXPECT_EQ(scalar("SELECT count(*) FROM realtime.schema_versions"), "0");
  EXPECT_EQ(scalar("SELECT to_regprocedure('realtime.topic()') IS NULL"), "t");
  // What the failed migration did before failing is gone too.
  EXPECT_EQ(scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'realtime.messages'::regclass "
                   "AND attname = 'binary_payload'"),
            "0");
}

TEST_F(RealtimeSchema, SendAddsTheRowIdToAnObjectPayloadAndSetsTheTopic) {
  migrate();
  partitions();
  sql("SELECT realtime.send('{\"a\":1}', 'ev', 'room-1', false)");
  EXPECT_EQ(scalar("SELECT payload->>'id' = id::text FROM realtime.messages"), "t");
  EXPECT_EQ(scalar("SELECT event || ' ' || topic || ' ' || private || ' ' || extension "
                   "FROM realtime.messages"),
            "ev room-1 false broadcast");
  sql("SELECT realtime.send('{\"id\":\"mine\"}', 'ev', 'room-2')");
  EXPECT_EQ(scalar("SELECT payload->>'id' || ' ' || private FROM realtime.messages WHERE topic = 'room-2'"),
            "mine true");
  sql("SELECT realtime.send('[1,2]', 'ev', 'room-3')");
  EXPECT_EQ(scalar("SELECT payload::text FROM realtime.messages WHERE topic = 'room-3'"), "[1, 2]");
  // The topic is visible to policies for the rest of the transaction.
  EXPECT_EQ(scalar("BEGIN; SELECT realtime.send('{}', 'e', 'seen'); SELECT realtime.topic()"), "seen");
  sql("COMMIT");
}

TEST_F(RealtimeSchema, SendWarnsInsteadOfFailingTheCaller) {
  migrate();
  // No partition for today: the insert fails inside send, the caller goes on.
  auto r = exec_simple(conn_.get(), "SELECT realtime.send('{}', 'e', 't')");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(scalar("SELECT count(*) FROM realtime.messages"), "0");
}

TEST_F(RealtimeSchema, SendBinaryAndBroadcastChanges) {
  migrate();
  partitions();
  sql("SELECT realtime.send_binary('\\x0102'::bytea, 'bin', 'b', false)");
  EXPECT_EQ(scalar("SELECT encode(binary_payload, 'hex') || ' ' || (payload IS NULL) FROM realtime.messages"),
            "0102 true");
  sql("CREATE TABLE public.items (id int PRIMARY KEY, name text)");
  sql("CREATE FUNCTION public.items_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "PERFORM realtime.broadcast_changes('items:' || coalesce(NEW.id, OLD.id), TG_OP, TG_OP, "
      "TG_TABLE_NAME, TG_TABLE_SCHEMA, NEW, OLD); RETURN NULL; END $$");
  sql("CREATE TRIGGER items_changed AFTER INSERT OR UPDATE OR DELETE ON public.items "
      "FOR EACH ROW EXECUTE FUNCTION public.items_changed()");
  sql("INSERT INTO public.items VALUES (7, 'seven')");
  sql("UPDATE public.items SET name = 'SEVEN'");
  EXPECT_EQ(scalar("SELECT (payload - 'id')::text FROM realtime.messages WHERE event = 'INSERT'"),
            R"({"table": "items", "record": {"id": 7, "name": "seven"}, "schema": "public", "operation": "INSERT", "old_record": null})");
  EXPECT_EQ(scalar("SELECT payload->'old_record'->>'name' || ' ' || topic || ' ' || private "
                   "FROM realtime.messages WHERE event = 'UPDATE'"),
            "seven items:7 true");
}

TEST_F(RealtimeSchema, PartitionsAreMadeAheadAndOldOnesDropped) {
  migrate();
  auto first = keep_message_partitions(conn_.get());
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->created, 2 + message_days_ahead);
  auto again = keep_message_partitions(conn_.get());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->created, 0);
  sql("CREATE TABLE realtime.messages_2001_01_01 PARTITION OF realtime.messages "
      "FOR VALUES FROM ('2001-01-01') TO ('2001-01-02')");
  sql("CREATE TABLE realtime.messages_keep PARTITION OF realtime.messages "
      "FOR VALUES FROM ('2001-02-01') TO ('2001-02-02')");
  auto upkeep = keep_message_partitions(conn_.get());
  ASSERT_TRUE(upkeep);
  EXPECT_EQ(upkeep->dropped, 1);
  EXPECT_EQ(scalar("SELECT to_regclass('realtime.messages_2001_01_01') IS NULL"), "t");
  EXPECT_EQ(scalar("SELECT to_regclass('realtime.messages_keep') IS NULL"), "f");
}

} // namespace
} // namespace rt::db
