// Server restart on a fixed port: realtime-js clients (both vsn) reconnect and
// rejoin by themselves, and broadcasts flow again.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, guard, freePort } from './support/server.mjs'
import { rtClient, collectBroadcasts, disconnectAll, deferred, withTimeout } from './support/clients.mjs'

const servers = []
after(async () => { await Promise.all(servers.map((s) => s.stop())) })

async function startOnPort(port) {
  // the old listener is gone once stop() resolves; retry briefly in case the
  // kernel still holds the port (that would point at a missing SO_REUSEADDR)
  let lastError
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const s = await startServer({ args: ['--port', String(port), '--max-joins-per-second', '100000'] })
      servers.push(s)
      assert.equal(s.port, port)
      if (attempt > 0) console.warn(`# restart on port ${port} needed ${attempt + 1} attempts`)
      return s
    } catch (e) {
      lastError = e
      await new Promise((r) => setTimeout(r, 500))
    }
  }
  throw lastError
}

// A realtime-js client subscribed to `topic` that counts SUBSCRIBED callbacks.
function member(server, vsn, topic) {
  const client = rtClient(server, { vsn })
  const channel = client.channel(topic, { config: { broadcast: { self: false } } })
  const inbox = collectBroadcasts(channel)
  const m = { vsn, client, channel, inbox, subscribed: 0, statuses: [], waiters: [] }
  channel.subscribe((status) => {
    m.statuses.push(status)
    if (status === 'SUBSCRIBED') {
      m.subscribed++
      for (const w of m.waiters.splice(0)) w()
    }
  })
  // subscribedTimes(n, ms): resolves once SUBSCRIBED was reported n times.
  m.subscribedTimes = (n, ms) => {
    const d = deferred()
    const check = () => { if (m.subscribed >= n) d.resolve(); else m.waiters.push(check) }
    check()
    return withTimeout(d.promise, ms, `${vsn} client SUBSCRIBED x${n} (statuses so far: ${m.statuses.join(',')})`)
  }
  return m
}

async function exchange(a, b, tag) {
  const baseA = a.inbox.got.length
  const baseB = b.inbox.got.length
  assert.equal(await a.channel.send({ type: 'broadcast', event: 'msg', payload: { from: a.vsn, tag } }), 'ok')
  assert.equal(await b.channel.send({ type: 'broadcast', event: 'msg', payload: { from: b.vsn, tag } }), 'ok')
  await b.inbox.until(baseB + 1)
  await a.inbox.until(baseA + 1)
  assert.deepEqual(b.inbox.got.at(-1), { type: 'broadcast', event: 'msg', payload: { from: a.vsn, tag } })
  assert.deepEqual(a.inbox.got.at(-1), { type: 'broadcast', event: 'msg', payload: { from: b.vsn, tag } })
}

test('realtime-js clients of both vsn rejoin after the server restarts on the same port', guard(async () => {
  const port = await freePort()
  const first = await startOnPort(port)
  const topic = `restart-${process.pid}`
  const v1 = member(first, '1.0.0', topic)
  const v2 = member(first, '2.0.0', topic)
  try {
    await Promise.all([v1.subscribedTimes(1, 8000), v2.subscribedTimes(1, 8000)])
    await exchange(v1, v2, 'before')

    const closedV1 = deferred()
    const closedV2 = deferred()
    v1.client.socketAdapter.onClose(() => closedV1.resolve())
    v2.client.socketAdapter.onClose(() => closedV2.resolve())
    await first.stop()
    await withTimeout(Promise.all([closedV1.promise, closedV2.promise]), 5000, 'clients notice the server went away')

    await startOnPort(port)
    // realtime-js reconnects after 1 s, 2 s, 5 s ... and rejoins its channels
    await Promise.all([v1.subscribedTimes(2, 15_000), v2.subscribedTimes(2, 15_000)])
    assert.equal(v1.client.isConnected(), true)
    assert.equal(v2.client.isConnected(), true)
    await exchange(v1, v2, 'after')
  } finally {
    await disconnectAll(v1.client, v2.client)
  }
}))
