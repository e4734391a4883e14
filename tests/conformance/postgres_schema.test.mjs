// The server installs the realtime schema objects in its database at startup
// (migrations once, daily message partitions), so that realtime.send and
// realtime.broadcast_changes work in the user's SQL; and it leaves the
// database alone when told to.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, guard } from './support/server.mjs'
import { sql, pgSkip, freshDatabase, dropDatabase, serverArgs, uniqueName, until } from './support/pg.mjs'

let db
before(async () => { if (!pgSkip) db = await freshDatabase('schema') })
after(async () => { if (db) await dropDatabase(db) })


test('startup installs the schema; realtime.send works in the user\'s SQL; a restart applies nothing twice', { skip: pgSkip }, guard(async () => {
  const args = serverArgs(db, uniqueName('slot'))
  let server = await startServer({ args })
  try {
    await until('the realtime schema', async () =>
      (await sql(db, "select count(*) from pg_inherits where inhparent = to_regclass('realtime.messages')")) === '5')
    await sql(db, `select realtime.send('{"n":1}', 'ev', 'room', false)`)
    assert.equal(await sql(db, "select (payload->>'id')::uuid = id from realtime.messages"), 't')
    assert.equal(await sql(db, 'select count(*) from realtime.schema_versions'), '3')
  } finally { await server.stop() }
  // The restarted server's upkeep recreates a dropped partition: its pass is
  // over then, and the recorded migrations must be those of the first start.
  const applied = await sql(db, 'select max(applied_at)::text from realtime.schema_versions')
  const last = await sql(db, "select 'realtime.messages_' || to_char(current_date + 3, 'YYYY_MM_DD')")
  await sql(db, `drop table ${last}`)
  server = await startServer({ args })
  try {
    await until('the dropped partition', async () => (await sql(db, `select to_regclass('${last}') is not null`)) === 't')
    assert.equal(await sql(db, 'select count(*) from realtime.schema_versions'), '3')
    assert.equal(await sql(db, 'select max(applied_at)::text from realtime.schema_versions'), applied)
  } finally { await server.stop() }
}))

test('--realtime-schema-upkeep false leaves the database untouched', { skip: pgSkip }, guard(async () => {
  const other = await freshDatabase('noschema')
  try {
    const server = await startServer({ args: [...serverArgs(other, uniqueName('slot')), '--realtime-schema-upkeep', 'false'] })
    try {
      await new Promise((r) => setTimeout(r, 1000))
      assert.equal(await sql(other, "select count(*) from pg_namespace where nspname = 'realtime'"), '0')
    } finally { await server.stop() }
  } finally { await dropDatabase(other) }
}))
