// Clusters of `realtime` nodes on loopback for the cluster tests.
//
//   const nodes = await startCluster(3, { args })   // [{server, clusterPort, name}]
//   await converged(nodes)                          // every node sees the others
//   const again = await startNode(nodes[2].clusterPort, seedsOf(nodes), args)
//
// Every node lists every node's cluster address as a seed (its own included),
// so any of them can be started or restarted in any order.
import { startServer, freePort } from './server.mjs'
import { until } from './pg.mjs'

export const HOST = '127.0.0.1'

export const seedsOf = (nodes) => nodes.map((n) => `${HOST}:${n.clusterPort}`).join(',')

// One node accepting nodes on `clusterPort` and joining through `seeds`.
export async function startNode(clusterPort, seeds, args = [], env = {}) {
  const server = await startServer({
    args: ['--cluster-port', String(clusterPort), '--cluster-host', HOST, '--cluster-seeds', seeds,
      '--log-level', 'info', ...args],
    env,
  })
  return { server, clusterPort, name: `${HOST}:${clusterPort}` }
}

// `n` nodes, each started with `args` (or perNode(i) for node i).
export async function startCluster(n, { args = [], perNode = () => [], env = {} } = {}) {
  const ports = []
  for (let i = 0; i < n; i++) ports.push(await freePort())
  const seeds = ports.map((p) => `${HOST}:${p}`).join(',')
  const nodes = []
  for (let i = 0; i < n; i++) nodes.push(await startNode(ports[i], seeds, [...args, ...perNode(i)], env))
  return nodes
}

// A figure of a node's /metrics, or undefined.
export async function metric(server, name) {
  const text = await (await fetch(`${server.httpUrl}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  return line === undefined ? undefined : Number(line.split(' ')[1])
}

// Resolves once each node of `nodes` counts the others as members.
export async function converged(nodes, ms = 15_000) {
  await until(`every node sees ${nodes.length - 1} other node(s)`, async () => {
    for (const n of nodes) {
      if (n.server.exited || (await metric(n.server, 'realtime_cluster_members')) !== nodes.length - 1) return false
    }
    return true
  }, ms)
}
