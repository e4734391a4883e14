// Postgres Changes while PostgreSQL itself restarts: subscribers get a
// system error while the database is away, "Subscribed to PostgreSQL" again
// once it is back, and rows committed before and after the restart arrive.
//
// This file stops and starts the shared test cluster (scripts/pg.sh), so it
// must not run while other tests use it (ctest -j): it needs RUN_SERIAL (or a
// RESOURCE_LOCK shared with every test of the `pg` fixture) in CMakeLists.txt.
// It restarts the cluster in after() if a failure left it stopped.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startServer, guard } from './support/server.mjs'
import { rtClient, disconnectAll, watchChanges } from './support/clients.mjs'
import { pgAvailable, pgSkip, pgPort, pgDir, sql, sqlBackground, freshDatabase, dropDatabase, serverArgs, uniqueName } from './support/pg.mjs'

const SUBSCRIBED = 'Subscribed to PostgreSQL'
const PG_SH = fileURLToPath(new URL('../../scripts/pg.sh', import.meta.url))
const skip = pgSkip || (!process.env.RT_TEST_PGDIR && 'RT_TEST_PGDIR is not set (needs the CTest fixture pg)')

let db
let server
const clients = []

function pgCtl(...args) {
  return new Promise((resolve, reject) => {
    execFile('bash', [PG_SH, ...args], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`pg.sh ${args.join(' ')}: ${err.message}\n${stderr}`))
      else resolve(stdout)
    })
  })
}
const pgRunning = () => pgCtl('status', pgDir()).then(() => true, () => false)
// Starts the cluster unless it runs; concurrent callers share one attempt.
let starting = null
function pgUp() {
  starting ??= (async () => { if (!(await pgRunning())) await pgCtl('start', pgDir(), pgPort()) })().finally(() => { starting = null })
  return starting
}

before(async () => {
  if (!pgAvailable() || !pgDir()) return
  db = await freshDatabase('pcpgrestart')
  await sql(db, `create table t (id int primary key, v text); alter publication supabase_realtime add table t;`)
  server = await startServer({ args: serverArgs(db, uniqueName('pgrestart_slot')) })
})

after(async () => {
  await disconnectAll(clients)
  await server?.stop()
  if (pgAvailable() && pgDir()) await pgUp()
  if (db) await dropDatabase(db)
})

test('PostgreSQL restarted mid-stream: a system error, "Subscribed to PostgreSQL" again, and no row lost', { skip, timeout: 150_000 }, guard(async () => {
  const client = rtClient(server)
  clients.push(client)
  const topic = `pgrestart-${process.pid}`
  const channel = client.channel(topic)
  const statuses = []
  const { got, system, until, poke } = watchChanges(channel, 't')
  channel.subscribe((st) => { statuses.push(st); poke() })
  await until(() => system.some((m) => m.message === SUBSCRIBED), 10_000, 'subscription')
  await sql(db, `insert into t values (1, 'before')`)
  await until(() => got.includes(1), 8000, 'row 1')

  // committed right before the shutdown, not waited for
  await sql(db, `insert into t values (2, 'just before the stop')`)
  // and a writer committing one row every few milliseconds until the database goes away
  let script = ''
  for (let i = 1000; i < 6000; i++) script += `insert into t values (${i}, 'stream'); select pg_sleep(0.002);\n`
  const writer = sqlBackground(db, script, { timeoutMs: 60_000 })
  await until(() => got.some((id) => id >= 1100), 15_000, 'the writer\'s rows flowing')
  await pgCtl('stop', pgDir())
  await writer.done
  await until(() => system.some((m) => m.status === 'error'), 20_000, 'a system error while the database is down')
  const err = system.find((m) => m.status === 'error')
  assert.equal(err.extension, 'postgres_changes')
  assert.equal(err.channel, topic)
  assert.equal(typeof err.message, 'string')
  const errorsSoFar = system.length

  await pgUp()
  await until(() => system.slice(errorsSoFar).some((m) => m.message === SUBSCRIBED), 60_000, '"Subscribed to PostgreSQL" again after the restart')
  await sql(db, `insert into t values (3, 'after the restart')`)
  await until(() => got.includes(2) && got.includes(3), 15_000, 'rows 2 and 3')
  const committed = (await sql(db, 'select id from t order by id')).split('\n').map(Number)
  const seen = new Set(got)
  const lost = committed.filter((id) => !seen.has(id))
  process.stderr.write(`# ${committed.length} rows committed, ${got.length} deliveries (${got.length - seen.size} duplicates); ` +
    `system messages: ${JSON.stringify(system.map((m) => `${m.status}: ${m.message}`))}\n`)
  assert.deepEqual(lost, [], 'committed rows that never arrived')
  assert.deepEqual([...seen].filter((id) => !committed.includes(id)), [], 'nothing that was not committed')
  assert.deepEqual(statuses, ['SUBSCRIBED'], 'the channel itself stayed joined')
  assert.equal(channel.state, 'joined')
}))
