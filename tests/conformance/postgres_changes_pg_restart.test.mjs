// Postgres Changes while PostgreSQL itself restarts (a fast shutdown, and an
// immediate one, i.e. a crash): subscribers get a system error while the
// database is away, "Subscribed to PostgreSQL" again once it is back, and
// rows committed before and after the restart arrive.
//
// This file stops and starts the shared test cluster (scripts/pg.sh), so it
// must not run while other tests use it (ctest -j): it needs RUN_SERIAL (or a
// RESOURCE_LOCK shared with every test of the `pg` fixture) in CMakeLists.txt.
// It restarts the cluster in after() if a failure left it stopped.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startServer, guard } from './support/server.mjs'
import { rtClient, disconnectAll, watchChanges } from './support/clients.mjs'
import { pgAvailable, pgSkip, pgPort, pgDir, sql, sqlBackground, freshDatabase, dropDatabase, serverArgs, uniqueName } from './support/pg.mjs'

const SUBSCRIBED = 'Subscribed to PostgreSQL'
const STREAM_LOST = 'Lost the replication connection to the database; retrying'
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

// PostgreSQL stopped and started again under a live subscription. `stop`
// takes the database down; ids of this scenario are base + 1..9999.
async function restartScenario({ label, base, stop }) {
  const client = rtClient(server)
  clients.push(client)
  const topic = `pgrestart-${label}-${process.pid}`
  const channel = client.channel(topic)
  const statuses = []
  const { got, system, until, poke } = watchChanges(channel, 't')
  // only this scenario's rows (a restart may send older ones again)
  const mine = (id) => id > base && id < base + 10_000
  channel.subscribe((st) => { statuses.push(st); poke() })
  await until(() => system.some((m) => m.message === SUBSCRIBED), 10_000, 'subscription')
  await sql(db, `insert into t values (${base + 1}, 'before')`)
  await until(() => got.includes(base + 1), 8000, `row ${base + 1}`)

  // committed right before the shutdown, not waited for
  await sql(db, `insert into t values (${base + 2}, 'just before the stop')`)
  // and a writer committing one row every few milliseconds until the database goes away
  let script = ''
  for (let i = base + 1000; i < base + 6000; i++) script += `insert into t values (${i}, 'stream'); select pg_sleep(0.002);\n`
  const writer = sqlBackground(db, script, { timeoutMs: 60_000 })
  await until(() => got.some((id) => id >= base + 1100), 15_000, 'the writer\'s rows flowing')
  const beforeStop = system.length
  await stop()
  await writer.done
  await until(() => system.slice(beforeStop).some((m) => m.status === 'error'), 20_000, 'a system error while the database is down')
  const err = system.slice(beforeStop).find((m) => m.status === 'error')
  assert.equal(err.extension, 'postgres_changes')
  assert.equal(err.channel, topic)
  assert.equal(typeof err.message, 'string')
  assert.equal(err.message, STREAM_LOST, `the first system error; statuses ${JSON.stringify(statuses)}, system messages ${JSON.stringify(system)}`)
  const errorsSoFar = system.length
  // The database is down: nothing arrives until it is back, so these are the
  // rows the client had before the restart.
  const before = new Set(got.filter(mine))

  await pgUp()
  await until(() => system.slice(errorsSoFar).some((m) => m.message === SUBSCRIBED), 60_000, '"Subscribed to PostgreSQL" again after the restart')
  await sql(db, `insert into t values (${base + 3}, 'after the restart')`)
  await until(() => got.includes(base + 2) && got.includes(base + 3), 15_000, `rows ${base + 2} and ${base + 3}`)
  const committed = (await sql(db, `select id from t where id > ${base} and id < ${base + 10_000} order by id`)).split('\n').map(Number)
  const delivered = got.filter(mine)
  const seen = new Set(delivered)
  const lost = committed.filter((id) => !seen.has(id))
  const counts = new Map()
  for (const id of delivered) counts.set(id, (counts.get(id) ?? 0) + 1)
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id)
  process.stderr.write(`# ${label}: ${committed.length} rows committed, ${delivered.length} deliveries (${delivered.length - seen.size} duplicates, ` +
    `${before.size} rows before the restart); system messages: ${JSON.stringify(system.map((m) => `${m.status}: ${m.message}`))}\n`)
  assert.deepEqual(lost, [], 'committed rows that never arrived')
  assert.deepEqual([...seen].filter((id) => !committed.includes(id)), [], 'nothing that was not committed')
  assert.deepEqual(duplicated.filter((id) => !before.has(id)), [], 'rows delivered twice although the client got them only after the restart')
  assert.deepEqual(statuses, ['SUBSCRIBED'], 'the channel itself stayed joined')
  assert.equal(channel.state, 'joined')
}

test('PostgreSQL restarted mid-stream: a system error, "Subscribed to PostgreSQL" again, and no row lost', { skip, timeout: 150_000 }, guard(async () => {
  await restartScenario({ label: 'fast', base: 0, stop: () => pgCtl('stop', pgDir()) })
}))

// An immediate shutdown (what `pg_ctl stop -m immediate` does: SIGQUIT to
// the postmaster) is a crash: no shutdown checkpoint, the slot's position on
// disk may be older than what the server confirmed, and crash recovery runs
// at the next start. Committed rows must still all arrive.
async function crashPostgres() {
  const area = (await pgCtl('path', pgDir())).trim()
  const pid = Number(readFileSync(join(area, 'data', 'postmaster.pid'), 'utf8').split('\n')[0])
  assert.ok(pid > 0, `postmaster pid ${pid}`)
  process.kill(pid, 'SIGQUIT')
  const deadline = Date.now() + 30_000
  while (await pgRunning()) {
    if (Date.now() > deadline) throw new Error('PostgreSQL still running 30 s after SIGQUIT')
    await new Promise((r) => setTimeout(r, 200))
  }
}

test('PostgreSQL crashed (immediate shutdown) mid-stream and restarted: a system error, "Subscribed to PostgreSQL" again, and no committed row lost', { skip, timeout: 150_000 }, guard(async () => {
  await restartScenario({ label: 'immediate', base: 100_000, stop: crashPostgres })
}))

test('a channel subscribed after PostgreSQL restarted gets "Subscribed to PostgreSQL" and no error', { skip, timeout: 120_000 }, guard(async () => {
  // A channel subscribed before the restart: the server has asked the
  // database about bindings (it holds a connection for that), and this
  // channel tells when the stream is back.
  const early = rtClient(server)
  clients.push(early)
  const channel = early.channel(`pgrestart-early-${process.pid}`)
  const w1 = watchChanges(channel, 't')
  channel.subscribe(() => w1.poke())
  await w1.until(() => w1.system.some((m) => m.message === SUBSCRIBED), 10_000, 'subscription before the restart')
  await pgCtl('stop', pgDir())
  await w1.until(() => w1.system.some((m) => m.status === 'error'), 20_000, 'a system error while the database is down')
  const n = w1.system.length
  await pgUp()
  await w1.until(() => w1.system.slice(n).some((m) => m.message === SUBSCRIBED), 60_000, 'the stream back after the restart')

  // The database is up and the stream live: a new channel is simply subscribed.
  const late = rtClient(server)
  clients.push(late)
  const topic = `pgrestart-late-${process.pid}`
  const ch = late.channel(topic)
  const w2 = watchChanges(ch, 't')
  ch.subscribe(() => w2.poke())
  await w2.until(() => w2.system.some((m) => m.message === SUBSCRIBED), 15_000, 'subscription after the restart')
  assert.deepEqual(w2.system, [{ extension: 'postgres_changes', status: 'ok', message: SUBSCRIBED, channel: topic }],
    'the system messages of a channel joined while the database is up')
  await sql(db, `insert into t values (200001, 'after')`)
  await w2.until(() => w2.got.includes(200001), 8000, 'a row committed after the subscription')
}))
