// A netsplit between cluster nodes, run by netsplit.sh inside network
// namespaces it made: node A alone on one side, nodes B and C on the other.
// While split, each side sees the other side's presences leave after the
// down period and goes on alone; after the link is back, the nodes reconnect
// and the presences converge on both sides, changes made during the split
// included.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { startServer, guard } from './support/server.mjs'
import { rtClient, subscribe, collectBroadcasts, disconnectAll } from './support/clients.mjs'
import { converged, metric } from './support/cluster.mjs'
import { until } from './support/pg.mjs'

const env = process.env
const SIDE_A = { ns: env.NETSPLIT_NS_A, clients: '10.77.1.2', cluster: '10.77.3.1', link: env.NETSPLIT_LINK_A }
const SIDE_B = { ns: env.NETSPLIT_NS_B, clients: '10.77.2.2', cluster: '10.77.3.2', link: env.NETSPLIT_LINK_B }
const PORTS = { a: 7101, b: 7102, c: 7103 }
const SEEDS = `${SIDE_A.cluster}:${PORTS.a},${SIDE_B.cluster}:${PORTS.b},${SIDE_B.cluster}:${PORTS.c}`
// Gossip every 100 ms (down after 2 s); nodes silent 1.5 s are disconnected.
const ARGS = ['--presence-broadcast-period-ms', '100', '--cluster-heartbeat-ms', '300', '--cluster-timeout-ms', '1500',
  '--max-joins-per-second', '100000', '--max-presence-events-per-second', '1000000', '--client-presence-max-calls', '1000',
  '--log-level', 'info']

const nodes = []
const clients = []

after(async () => {
  await disconnectAll(clients)
  for (const n of nodes) await n.server.stop()
})

async function node(side, port) {
  const server = await startServer({
    prefix: ['ip', 'netns', 'exec', side.ns],
    args: ['--bind', side.clients, '--cluster-host', side.cluster, '--cluster-port', String(port),
      '--cluster-seeds', SEEDS, ...ARGS],
  })
  const n = { server, name: `${side.cluster}:${port}` }
  nodes.push(n)
  return n
}

function setLinks(state) {
  for (const side of [SIDE_A, SIDE_B]) execFileSync('ip', ['-n', side.ns, 'link', 'set', side.link, state])
}

async function member(n, key, topic) {
  const client = rtClient(n.server)
  clients.push(client)
  const channel = client.channel(topic, { config: { presence: { key } } })
  channel.on('presence', { event: 'sync' }, () => {})
  await subscribe(channel)
  await channel.track({ key })
  return channel
}

const keys = (channel) => Object.keys(channel.presenceState()).sort()

test('netsplit: each side sees the other leave after the down period; after healing both converge', { skip: !env.NETSPLIT_NS_A, timeout: 120_000 }, guard(async () => {
  const a = await node(SIDE_A, PORTS.a)
  const b = await node(SIDE_B, PORTS.b)
  const c = await node(SIDE_B, PORTS.c)
  await converged([a, b, c], 20_000)
  const topic = `split-${process.pid}`
  const obsA = await member(a, 'obsA', topic)
  const alice = await member(a, 'alice', topic)
  const obsB = await member(b, 'obsB', topic)
  await member(b, 'bob', topic)
  await member(c, 'carol', topic)
  const everyone = ['alice', 'bob', 'carol', 'obsA', 'obsB']
  await until('everyone on both sides', () => keys(obsA).join() === everyone.join() && keys(obsB).join() === everyone.join(), 10_000)

  setLinks('down')
  const splitAt = Date.now()
  await until('A alone, B and C together', async () =>
    (await metric(a.server, 'realtime_cluster_members')) === 0 && (await metric(b.server, 'realtime_cluster_members')) === 1, 15_000)
  await until('side A sees B and C\'s presences leave', () => keys(obsA).join() === ['alice', 'obsA'].join(), 15_000)
  await until('side B sees A\'s presences leave', () => keys(obsB).join() === ['bob', 'carol', 'obsB'].join(), 15_000)
  const leftAfter = Date.now() - splitAt
  assert.ok(leftAfter >= 1500, `presences left after ${leftAfter} ms, not before the nodes were seen down`)
  // both sides go on alone: broadcasts within a side, presence changes
  const inB = collectBroadcasts(obsB, 'during')
  const fromC = rtClient(c.server)
  clients.push(fromC)
  const sender = fromC.channel(topic)
  await subscribe(sender)
  sender.send({ type: 'broadcast', event: 'during', payload: { n: 1 } })
  await inB.until(1, 5000)
  await member(c, 'dave', topic)
  await alice.untrack()
  await until('changes seen within each side', () => keys(obsB).includes('dave') && !keys(obsA).includes('alice'), 10_000)

  setLinks('up')
  await converged([a, b, c], 30_000)
  const final = ['bob', 'carol', 'dave', 'obsA', 'obsB']
  await until('both sides converge', () => keys(obsA).join() === final.join() && keys(obsB).join() === final.join(), 20_000)
  process.stderr.write(`# presences left ${leftAfter} ms after the split; converged after healing\n`)
}))
