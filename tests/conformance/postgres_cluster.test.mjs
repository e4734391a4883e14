// A cluster of three `realtime` processes on loopback (CLUSTER_PORT,
// CLUSTER_SEEDS): broadcasts, presence and Postgres changes reach clients on
// every node; the node streaming the slot can die (kill -9) without a row
// being lost, repeated or reordered for subscribers on the other nodes; a
// restarted node rejoins as a new member and its old presences leave.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { guard } from './support/server.mjs'
import { rowSubscriber as subscribeRows } from './support/rows.mjs'
import { rtClient, subscribe, collectBroadcasts, disconnectAll } from './support/clients.mjs'
import { token } from './support/jwt.mjs'
import { pgAvailable, pgSkip, sql, sqlBackground, freshDatabase, dropDatabase, serverArgs, uniqueName, until } from './support/pg.mjs'
import { startCluster, startNode, seedsOf, converged, metric } from './support/cluster.mjs'

// Gossip every 100 ms: a silent replica is down after 2 s.
const PRESENCE = ['--presence-broadcast-period-ms', '100', '--max-joins-per-second', '100000',
  '--max-presence-events-per-second', '1000000', '--client-presence-max-calls', '1000']

let db
const clusters = []
const clients = []
const sockets = []

before(async () => {
  if (!pgAvailable()) return
  db = await freshDatabase('cluster')
  await sql(db, `
    create table items (id int primary key, note text);
    alter publication supabase_realtime add table items;`)
})

after(async () => {
  await disconnectAll(clients)
  for (const ws of sockets) ws.terminate()
  for (const nodes of clusters) for (const n of nodes) await n.server.stop()
  if (db) await dropDatabase(db)
})

async function cluster(slot, extra = []) {
  const nodes = await startCluster(3, { args: [...serverArgs(db, slot), ...PRESENCE, ...extra] })
  clusters.push(nodes)
  await converged(nodes)
  return nodes
}

function client(node, options) {
  const c = rtClient(node.server, options)
  clients.push(c)
  return c
}

const rowSubscriber = (node, table, label) => subscribeRows(node.server, table, label, sockets)

// The ids `got` should hold: 1..n, each once, ascending.
function assertExactlyInOrder(got, n, who) {
  const dupes = got.length - new Set(got).size
  const missing = []
  const seen = new Set(got)
  for (let i = 1; i <= n && missing.length < 10; i++) if (!seen.has(i)) missing.push(i)
  let disorder = -1
  for (let i = 1; i < got.length; i++) if (got[i] <= got[i - 1]) { disorder = i; break }
  assert.deepEqual({ count: got.length, dupes, missing, firstOutOfOrder: disorder >= 0 ? got.slice(disorder - 1, disorder + 1) : null },
    { count: n, dupes: 0, missing: [], firstOutOfOrder: null }, `${who}: every row once, in commit order`)
}

// A published table `table`, and subscribers to it on every node given in
// `on` (indexes), node A's first so that node A streams (owns) the slot.
async function ownedTable(nodes, table, label, on = [0, 1, 2]) {
  await sql(db, `create table ${table} (id int primary key); alter publication supabase_realtime add table ${table};`)
  const subscribers = []
  for (const i of on) {
    subscribers.push(await rowSubscriber(nodes[i], table, `${label}${i}-${process.pid}`))
    if (i === 0)
      await until('node A owns the slot', async () => (await metric(nodes[0].server, 'realtime_replication_slot_owner')) === 1, 15_000)
  }
  return subscribers
}

// `tx` transactions of `per` rows (ids 1..tx*per) about 10 ms apart, written
// in the background; resolves {rows, done}.
function steadyInserts(table, tx, per) {
  let script = ''
  for (let t = 0; t < tx; t++) script += `insert into ${table} select g from generate_series(${t * per + 1}, ${(t + 1) * per}) g; select pg_sleep(0.01);\n`
  return { rows: tx * per, done: sqlBackground(db, script, { timeoutMs: 90_000 }).done }
}

test('a broadcast on node A reaches clients on B and C, in the order A sent them; REST on C reaches A and B', { skip: pgSkip, timeout: 60_000 }, guard(async () => {
  const nodes = await cluster(uniqueName('bc_slot'))
  const topic = `room-${process.pid}`
  const channels = nodes.map((n) => client(n).channel(topic, { config: { broadcast: { self: true } } }))
  const seen = channels.map((ch) => collectBroadcasts(ch, 'msg'))
  await Promise.all(channels.map((ch) => subscribe(ch)))
  for (let i = 0; i < 200; i++) channels[0].send({ type: 'broadcast', event: 'msg', payload: { i } })
  for (const [k, s] of seen.entries()) {
    await s.until(200, 10_000)
    assert.deepEqual(s.got.map((m) => m.payload.i), [...Array(200).keys()], `node ${k}: every broadcast of A, in order`)
  }
  const res = await fetch(`${nodes[2].server.httpUrl}/api/broadcast`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token({ role: 'service_role' })}` },
    body: JSON.stringify({ messages: [{ topic, event: 'msg', payload: { i: 'rest' } }] }),
  })
  assert.equal(res.status, 202)
  for (const s of seen) await s.until(201, 10_000)
  for (const s of seen) assert.equal(s.got[200].payload.i, 'rest')
}))

test('a presence tracked on node A appears on node C, and leaves there when untracked', { skip: pgSkip, timeout: 60_000 }, guard(async () => {
  const nodes = await cluster(uniqueName('pr_slot'))
  const topic = `lobby-${process.pid}`
  const alice = client(nodes[0]).channel(topic, { config: { presence: { key: 'alice' } } })
  const carol = client(nodes[2]).channel(topic, { config: { presence: { key: 'carol' } } })
  const leaves = []
  carol.on('presence', { event: 'sync' }, () => {})
  carol.on('presence', { event: 'leave' }, (p) => leaves.push(p.key))
  alice.on('presence', { event: 'sync' }, () => {})
  await subscribe(alice)
  await subscribe(carol)
  await alice.track({ mood: 'fine' })
  await until('alice on node C', () => carol.presenceState().alice?.[0]?.mood === 'fine', 10_000)
  await carol.track({ mood: 'busy' })
  await until('carol on node A', () => alice.presenceState().carol?.[0]?.mood === 'busy', 10_000)
  await alice.untrack()
  await until('alice left on node C', () => leaves.includes('alice') && !carol.presenceState().alice, 10_000)
}))

test('a change streamed by the node owning the slot reaches subscribers on the other nodes', { skip: pgSkip, timeout: 60_000 }, guard(async () => {
  const slot = uniqueName('ch_slot')
  const nodes = await cluster(slot)
  // the first subscription makes node A stream (and own) the slot
  const onA = await rowSubscriber(nodes[0], 'items', `cha-${process.pid}`)
  await until('node A owns the slot', async () => (await metric(nodes[0].server, 'realtime_replication_slot_owner')) === 1, 15_000)
  const onB = await rowSubscriber(nodes[1], 'items', `chb-${process.pid}`)
  const onC = await rowSubscriber(nodes[2], 'items', `chc-${process.pid}`)
  assert.equal(await metric(nodes[1].server, 'realtime_replication_slot_owner'), 0, 'node B does not stream the slot')
  await sql(db, `insert into items values (1, 'one'), (2, 'two'); insert into items values (3, 'three')`)
  const written = await sql(db, 'select pg_current_wal_lsn()')
  for (const [who, s] of [['A', onA], ['B', onB], ['C', onC]]) {
    await s.wait(() => s.arrived.length >= 3, 10_000, 'three rows')
    assert.deepEqual(s.arrived, [1, 2, 3], `node ${who}`)
  }
  // the owner confirms once every node acknowledged (the slot moves on)
  await until('the slot confirmed past the inserts', async () =>
    (await sql(db, `select confirmed_flush_lsn >= '${written}'::pg_lsn from pg_replication_slots where slot_name = '${slot}'`)) === 't', 10_000)
  await sql(db, 'delete from items')
}))

test('kill -9 of the node streaming the slot during steady inserts: the other nodes\' subscribers get every row once, in order', { skip: pgSkip, timeout: 120_000 }, guard(async () => {
  const nodes = await cluster(uniqueName('fo_slot'))
  const [owner, onB, onC] = await ownedTable(nodes, 'steady', 'fo')
  const { rows: ROWS, done } = steadyInserts('steady', 400, 25)
  await onB.wait(() => onB.arrived.length >= ROWS / 5, 30_000, 'a fifth of the rows')
  nodes[0].server.proc.kill('SIGKILL')
  await nodes[0].server.exitedPromise
  const killedAt = onB.arrived.length
  const w = await done
  assert.equal(w.code, 0, `psql writer failed: ${w.stderr}`)
  await until('node B or C streams the slot', async () =>
    (await metric(nodes[1].server, 'realtime_replication_slot_owner')) === 1 ||
    (await metric(nodes[2].server, 'realtime_replication_slot_owner')) === 1, 15_000)
  for (const [who, s] of [['B', onB], ['C', onC]]) {
    await s.wait(() => s.arrived.length >= ROWS, 45_000, 'every row')
    await new Promise((r) => setTimeout(r, 300)) // a duplicate would come right behind
    assertExactlyInOrder(s.arrived, ROWS, `node ${who}`)
    assert.equal(s.closed, false)
  }
  process.stderr.write(`# owner killed after node B had ${killedAt} of ${ROWS} rows (A's own client had ${owner.arrived.length})\n`)
  assert.ok(killedAt < ROWS, 'the owner died while rows were still coming')
}))

test('a node frozen past the cluster timeout (SIGSTOP) rejoins and is sent again what it missed: its subscriber gets every row once, in order', { skip: pgSkip, timeout: 120_000 }, guard(async () => {
  const nodes = await cluster(uniqueName('fz_slot'), ['--cluster-heartbeat-ms', '300', '--cluster-timeout-ms', '1500'])
  const [, onB] = await ownedTable(nodes, 'frozen', 'fz', [0, 1])
  const { rows: ROWS, done } = steadyInserts('frozen', 300, 10)
  await onB.wait(() => onB.arrived.length >= ROWS / 10, 30_000, 'a tenth of the rows')
  nodes[1].server.proc.kill('SIGSTOP')
  await until('node A sees node B gone', async () => (await metric(nodes[0].server, 'realtime_cluster_members')) === 1, 10_000)
  await new Promise((r) => setTimeout(r, 1000))
  nodes[1].server.proc.kill('SIGCONT')
  await converged(nodes, 20_000)
  const w = await done
  assert.equal(w.code, 0, `psql writer failed: ${w.stderr}`)
  await onB.wait(() => onB.arrived.length >= ROWS, 45_000, 'every row')
  await new Promise((r) => setTimeout(r, 300))
  assertExactlyInOrder(onB.arrived, ROWS, 'node B')
  assert.match(nodes[0].server.logTail(400), /cluster: node .* left/, 'node A did drop node B meanwhile')
}))

test('a node away while the slot moves on and its owner dies hears that changes were missed, then gets the changes after', { skip: pgSkip, timeout: 120_000 }, guard(async () => {
  const nodes = await cluster(uniqueName('gap_slot'), ['--cluster-heartbeat-ms', '300', '--cluster-timeout-ms', '1500'])
  const table = 'gapped'
  const [, onB] = await ownedTable(nodes, table, 'gp')
  await sql(db, `insert into ${table} values (1)`)
  await onB.wait(() => onB.ids.has(1), 10_000, 'row 1')
  // B freezes; A goes on without it and confirms row 2, then dies
  nodes[1].server.proc.kill('SIGSTOP')
  await until('node A sees node B gone', async () => (await metric(nodes[0].server, 'realtime_cluster_members')) === 1, 10_000)
  await sql(db, `insert into ${table} values (2)`)
  const written = await sql(db, 'select pg_current_wal_lsn()')
  await until('the slot confirmed row 2', async () =>
    (await sql(db, `select bool_or(confirmed_flush_lsn >= '${written}'::pg_lsn) from pg_replication_slots where slot_name like 'gap_slot%' and slot_name not like '%_messages'`)) === 't', 10_000)
  nodes[0].server.proc.kill('SIGKILL')
  await nodes[0].server.exitedPromise
  await until('node C streams the slot', async () => (await metric(nodes[2].server, 'realtime_replication_slot_owner')) === 1, 15_000)
  await sql(db, `insert into ${table} values (3)`)
  nodes[1].server.proc.kill('SIGCONT')
  await onB.wait(() => onB.ids.has(3), 20_000, 'row 3 after B is back')
  assert.ok(!onB.ids.has(2), 'row 2 was confirmed while B was away and its owner died: B cannot have it')
  assert.ok(onB.system.some((m) => m.status === 'error' && m.message === 'Changes were missed while this node was cut off from the cluster'),
    `B's subscriber was told changes were missed: ${JSON.stringify(onB.system)}`)
}))

test('database broadcast reaches clients on every node; when the node streaming the messages slot dies another takes it over', { skip: pgSkip, timeout: 120_000 }, guard(async () => {
  const slot = uniqueName('db_slot')
  const nodes = await cluster(slot)
  const topic = `dbb-${process.pid}`
  const inboxes = []
  for (const n of nodes) {
    const channel = client(n).channel(topic)
    inboxes.push(collectBroadcasts(channel, 'row'))
    await subscribe(channel)
  }
  let sent = 0
  const send = () => sql(db, `select realtime.send('{"n":${++sent}}', 'row', '${topic}', false)`)
  // the schema's migration and the slot's creation come first
  await until('a row reaches every node', async () => {
    await send()
    await new Promise((r) => setTimeout(r, 300))
    return inboxes.every((i) => i.got.length > 0)
  }, 60_000)
  const streaming = `streaming slot ${slot}_messages`
  const owner = nodes.findIndex((n) => n.server.logTail(400).includes(streaming))
  assert.ok(owner >= 0, 'one node streams the messages slot')
  assert.equal(nodes.filter((n) => n.server.logTail(400).includes(streaming)).length, 1, 'exactly one node streams it')
  nodes[owner].server.proc.kill('SIGKILL')
  await nodes[owner].server.exitedPromise
  const killedAt = sent
  const survivors = inboxes.filter((_, i) => i !== owner)
  await until('rows sent after the kill reach the surviving nodes', async () => {
    await send()
    await new Promise((r) => setTimeout(r, 300))
    return survivors.every((i) => i.got.some((m) => m.payload.n > killedAt))
  }, 20_000)
  const takers = nodes.filter((n, i) => i !== owner && n.server.logTail(400).includes(streaming))
  assert.equal(takers.length, 1, 'one surviving node took the messages slot over')
}))

test('a node restarted on the same cluster address rejoins as a new member, and its old presences leave', { skip: pgSkip, timeout: 90_000 }, guard(async () => {
  const nodes = await cluster(uniqueName('rs_slot'))
  const topic = `restart-${process.pid}`
  const watcher = client(nodes[0]).channel(topic, { config: { presence: { key: 'watcher' } } })
  const leaves = []
  watcher.on('presence', { event: 'sync' }, () => {})
  watcher.on('presence', { event: 'leave' }, (p) => leaves.push(p.key))
  await subscribe(watcher)
  await watcher.track({ v: 0 })
  const old = rtClient(nodes[2].server)
  const carol = old.channel(topic, { config: { presence: { key: 'carol' } } })
  carol.on('presence', { event: 'sync' }, () => {})
  await subscribe(carol)
  await carol.track({ v: 1 })
  await until('carol on node A', () => watcher.presenceState().carol !== undefined, 10_000)
  // node C dies and comes back on the same cluster port
  nodes[2].server.proc.kill('SIGKILL')
  await nodes[2].server.exitedPromise
  old.disconnect()
  const restarted = await startNode(nodes[2].clusterPort, seedsOf(nodes), [...serverArgs(db, uniqueName('rs_other')), ...PRESENCE])
  nodes[2] = restarted
  await converged(nodes, 20_000)
  // the new incarnation replaces the old replica: carol leaves at once
  // (sooner than the 2 s down period the silence alone would take)
  await until('carol left on node A', () => leaves.includes('carol') && !watcher.presenceState().carol, 10_000)
  // and the new node is a working member
  const dave = client(restarted).channel(topic, { config: { presence: { key: 'dave' } } })
  dave.on('presence', { event: 'sync' }, () => {})
  await subscribe(dave)
  await dave.track({ v: 2 })
  await until('dave on node A', () => watcher.presenceState().dave !== undefined, 10_000)
  await until('watcher on the new node C', () => dave.presenceState().watcher !== undefined, 10_000)
}))
