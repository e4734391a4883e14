// Cluster membership without a database: membership spreads from one seed,
// strangers stay out (wrong cluster secret, a certificate from another CA),
// TLS between nodes, and configuration errors are refused at startup.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { guard, freePort } from './support/server.mjs'
import { rtClient, subscribe, collectBroadcasts, disconnectAll } from './support/clients.mjs'
import { startNode, converged, metric, HOST } from './support/cluster.mjs'
import { until } from './support/pg.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const certsScript = join(here, '..', '..', 'scripts', 'cluster-certs.sh')
const nodes = []
const clients = []
const dirs = []

after(async () => {
  await disconnectAll(clients)
  for (const n of nodes) await n.server.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

async function node(port, seeds, args = []) {
  const n = await startNode(port, seeds, args)
  nodes.push(n)
  return n
}

// Whether a broadcast from node `from` reaches a client on node `to`.
async function broadcastReaches(from, to, topic, ms = 3000) {
  const sender = rtClient(from.server)
  const receiver = rtClient(to.server)
  clients.push(sender, receiver)
  const inbox = receiver.channel(topic)
  const seen = collectBroadcasts(inbox, 'hi')
  await subscribe(inbox)
  const out = sender.channel(topic)
  await subscribe(out)
  out.send({ type: 'broadcast', event: 'hi', payload: { from: from.name } })
  try {
    await seen.until(1, ms)
    return true
  } catch {
    return false
  }
}

function certs(...names) {
  const dir = mkdtempSync(join(tmpdir(), 'rt-certs-'))
  dirs.push(dir)
  execFileSync('bash', [certsScript, dir, ...names], { stdio: 'pipe' })
  return dir
}

const tlsArgs = (dir, name) => ['--cluster-tls-cert', join(dir, `${name}.pem`), '--cluster-tls-key', join(dir, `${name}.key`),
  '--cluster-tls-ca', join(dir, 'ca.pem')]

test('membership spreads: C joins through A alone and still connects to B', guard(async () => {
  const [pa, pb, pc] = [await freePort(), await freePort(), await freePort()]
  const a = await node(pa, `${HOST}:${pa}`)
  const b = await node(pb, `${HOST}:${pa}`)
  await converged([a, b])
  const c = await node(pc, `${HOST}:${pa}`)
  await converged([a, b, c])
  assert.ok(await broadcastReaches(c, b, `spread-${process.pid}`), 'C reaches B')
  assert.ok(await broadcastReaches(b, c, `spread2-${process.pid}`), 'B reaches C')
  // A goes away: B and C stay connected to each other
  await a.server.stop()
  await converged([b, c])
  assert.ok(await broadcastReaches(b, c, `spread3-${process.pid}`), 'B still reaches C without A')
}))

test('a node with another cluster secret is not admitted', guard(async () => {
  const [pa, ps] = [await freePort(), await freePort()]
  const a = await node(pa, `${HOST}:${pa}`, ['--cluster-secret', 'right-secret'])
  const stranger = await node(ps, `${HOST}:${pa}`, ['--cluster-secret', 'wrong-secret'])
  await new Promise((r) => setTimeout(r, 2500))
  assert.equal(await metric(a.server, 'realtime_cluster_members'), 0)
  assert.equal(await metric(stranger.server, 'realtime_cluster_members'), 0)
  assert.equal(await broadcastReaches(stranger, a, `secret-${process.pid}`, 1000), false)
  const friend = await node(await freePort(), `${HOST}:${pa}`, ['--cluster-secret', 'right-secret'])
  await converged([a, friend])
}))

test('TLS between nodes: members with certificates from the cluster CA connect, a node from another CA does not', guard(async () => {
  const cluster = certs('n1', 'n2')
  const other = certs('evil')
  const [p1, p2, pe] = [await freePort(), await freePort(), await freePort()]
  const n1 = await node(p1, `${HOST}:${p1}`, tlsArgs(cluster, 'n1'))
  const n2 = await node(p2, `${HOST}:${p1}`, tlsArgs(cluster, 'n2'))
  await converged([n1, n2])
  assert.ok(await broadcastReaches(n2, n1, `tls-${process.pid}`), 'broadcasts cross the TLS link')
  const evil = await node(pe, `${HOST}:${p1}`, tlsArgs(other, 'evil'))
  await new Promise((r) => setTimeout(r, 2500))
  assert.equal(await metric(n1.server, 'realtime_cluster_members'), 1, 'n1 knows only n2')
  assert.equal(await metric(evil.server, 'realtime_cluster_members'), 0)
  // the plain protocol cannot get in either
  const plain = await node(await freePort(), `${HOST}:${p1}`)
  await new Promise((r) => setTimeout(r, 1500))
  assert.equal(await metric(plain.server, 'realtime_cluster_members'), 0)
  assert.equal(await metric(n1.server, 'realtime_cluster_members'), 1)
  // the refused handshakes (about one a second from each) never cost the
  // members their connection
  for (const n of [n1, n2]) assert.doesNotMatch(n.server.logTail(400), /cluster: node .* left/)
  assert.ok(await broadcastReaches(n1, n2, `tls2-${process.pid}`), 'n1 still reaches n2')
}))

test('a node stopped with SIGTERM: its presences leave the other nodes at once, not after the down period', guard(async () => {
  const [pa, pb] = [await freePort(), await freePort()]
  const seeds = `${HOST}:${pa},${HOST}:${pb}`
  // default gossip: 1.5 s periods, a silent replica is down after 30 s
  const a = await node(pa, seeds, ['--max-joins-per-second', '100000'])
  const b = await node(pb, seeds, ['--max-joins-per-second', '100000'])
  await converged([a, b])
  const topic = `goodbye-${process.pid}`
  const watcherClient = rtClient(a.server)
  const leaverClient = rtClient(b.server)
  clients.push(watcherClient, leaverClient)
  const watcher = watcherClient.channel(topic, { config: { presence: { key: 'watcher' } } })
  const leaver = leaverClient.channel(topic, { config: { presence: { key: 'leaver' } } })
  const left = []
  watcher.on('presence', { event: 'sync' }, () => {})
  watcher.on('presence', { event: 'leave' }, (p) => left.push(p.key))
  leaver.on('presence', { event: 'sync' }, () => {})
  await subscribe(watcher)
  await subscribe(leaver)
  await leaver.track({ here: true })
  await until('the leaver seen on node A', () => watcher.presenceState().leaver !== undefined, 10_000)
  const stopping = Date.now()
  await b.server.stop()
  await until('the leaver gone on node A', () => left.includes('leaver') && !watcher.presenceState().leaver, 8_000)
  process.stderr.write(`# presences of the stopped node left after ${Date.now() - stopping} ms\n`)
}))

test('cluster configuration errors stop the server at startup with exit code 1', guard(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rt-badcert-'))
  dirs.push(dir)
  writeFileSync(join(dir, 'junk.pem'), 'not a certificate\n')
  const cases = [
    [['--cluster-port', '1', '--cluster-seeds', 'no-port-here'], /CLUSTER_SEEDS/],
    [['--cluster-port', '1', '--cluster-seeds', 'h:70000'], /CLUSTER_SEEDS/],
    [['--cluster-port', '1', '--cluster-tls-cert', join(dir, 'junk.pem')], /CLUSTER_TLS_CERT, CLUSTER_TLS_KEY and CLUSTER_TLS_CA go together/],
    [['--cluster-port', '1', '--cluster-tls-cert', join(dir, 'junk.pem'), '--cluster-tls-key', join(dir, 'junk.pem'), '--cluster-tls-ca', join(dir, 'junk.pem')], /CLUSTER_TLS_CERT .* cannot be used/],
    [['--cluster-port', '1', '--cluster-heartbeat-ms', '5000', '--cluster-timeout-ms', '1000'], /CLUSTER_HEARTBEAT_MS/],
  ]
  for (const [args, message] of cases) {
    const run = spawnSync(process.env.REALTIME_BIN, ['--port', '0', '--jwt-secret', 'x'.repeat(32), ...args],
      { encoding: 'utf8', timeout: 10_000 })
    assert.equal(run.status, 1, `${args.join(' ')}: exit ${run.status}, ${run.stderr}`)
    assert.match(run.stderr, message)
  }
}))
