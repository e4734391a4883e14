// An application channel served by the embedding example (examples/embed_room)
// next to the built-in realtime:* route, driven by phoenix.js: joins run the
// application's join, replies come back, and a channel that crashes yields
// phx_error for its topic only while the socket and its other channels go on.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, guard } from './support/server.mjs'
import { SECRET } from './support/jwt.mjs'
import { phxSocket, pushAsync, phxDisconnect, deferred, withTimeout } from './support/clients.mjs'
import { joinPayload } from './support/session.mjs'

let server
before(async () => {
  const bin = process.env.EMBED_ROOM_BIN
  assert.ok(bin, 'EMBED_ROOM_BIN must point to the embed_room example')
  server = await startServer({ bin, argv: ['0'], env: { JWT_SECRET: SECRET, CHANNEL_ERROR_BACKOFF_MS: '0' } })
})
after(async () => { await server?.stop() })

test('the application decides the join and answers its own events', guard(async () => {
  const socket = await phxSocket(server)
  try {
    const refused = socket.channel('room:lobby', {})
    assert.deepEqual(await pushAsync(refused.join()), { status: 'error', response: { reason: 'user required' } })
    refused.leave()
    const room = socket.channel('room:lobby', { user: 'ada' })
    assert.deepEqual(await pushAsync(room.join()), { status: 'ok', response: { welcome: 'ada' } })
    assert.deepEqual(await pushAsync(room.push('ping', {})), { status: 'ok', response: { pong: true } })
    const heard = deferred()
    room.on('shout', (p) => heard.resolve(p))
    assert.equal((await pushAsync(room.push('shout', { text: 'hi' }))).status, 'ok')
    assert.deepEqual(await withTimeout(heard.promise, 3000, 'shout'), { user: 'ada', said: { text: 'hi' } })
    assert.deepEqual(await pushAsync(room.push('dance', {})),
      { status: 'error', response: { reason: 'unhandled event' } })
  } finally { await phxDisconnect(socket) }
}))

test('a crashing channel errors alone; the socket and the other channels keep working', guard(async () => {
  const socket = await phxSocket(server, { rejoinAfterMs: () => 100 })
  try {
    const room = socket.channel('room:crashy', { user: 'bob' })
    const other = socket.channel('realtime:calm', joinPayload({ ack: true }))
    assert.equal((await pushAsync(room.join())).status, 'ok')
    assert.equal((await pushAsync(other.join())).status, 'ok')
    const errored = deferred()
    room.onError(() => errored.resolve())
    room.push('crash', {})
    await withTimeout(errored.promise, 3000, 'phx_error on the crashed room')
    const msg = { type: 'broadcast', event: 'still', payload: { here: true } }
    assert.deepEqual(await pushAsync(other.push('broadcast', msg)), { status: 'ok', response: {} })
    // phoenix.js rejoins an errored channel; the new join is served as before.
    await withTimeout(new Promise((resolve) => {
      const poll = setInterval(() => { if (room.state === 'joined') { clearInterval(poll); resolve() } }, 50)
    }), 5000, 'rejoin after phx_error')
  } finally { await phxDisconnect(socket) }
}))

test('the application tracks presence: phoenix.js Presence sees joins, leaves and a crash', guard(async () => {
  const { Presence } = await import('phoenix')
  const sockets = []
  const open = async (vsn) => { const s = await phxSocket(server, { vsn }); sockets.push(s); return s }
  const users = (presence) => presence.list((key, { metas }) => `${key}:${metas.length}`).sort()
  const until = (presence, want, what) => withTimeout(new Promise((resolve) => {
    const check = () => { if (JSON.stringify(users(presence)) === JSON.stringify(want)) resolve() }
    presence.onSync(check)
    check()
  }), 3000, what)
  try {
    const watcherSocket = await open('2.0.0')
    const watcher = watcherSocket.channel('room:presence', { user: 'watcher' })
    const seen = new Presence(watcher)
    const joined = []
    const left = []
    seen.onJoin((key, current) => { if (!current) joined.push(key) })
    seen.onLeave((key, current) => { if (current.metas.length === 0) left.push(key) })
    assert.equal((await pushAsync(watcher.join())).status, 'ok')
    await until(seen, ['watcher:1'], 'own presence in presence_state')

    const adaSocket = await open('1.0.0')
    const ada = adaSocket.channel('room:presence', { user: 'ada' })
    const adaSeen = new Presence(ada)
    assert.equal((await pushAsync(ada.join())).status, 'ok')
    await until(seen, ['ada:1', 'watcher:1'], 'ada joins')
    await until(adaSeen, ['ada:1', 'watcher:1'], 'ada sees both')
    const meta = seen.list((key, { metas }) => (key === 'ada' ? metas[0] : null)).find(Boolean)
    assert.equal(typeof meta.online_at, 'number')
    assert.equal(typeof meta.phx_ref, 'string')

    // The same user twice (a second tab): one key, two metas.
    const adaTab = (await open('2.0.0')).channel('room:presence', { user: 'ada' })
    assert.equal((await pushAsync(adaTab.join())).status, 'ok')
    await until(seen, ['ada:2', 'watcher:1'], 'a second meta under ada')

    // A crash ends the channel: its presence leaves.
    adaTab.push('crash', {})
    await until(seen, ['ada:1', 'watcher:1'], 'the crashed tab leaves')
    adaTab.leave() // no rejoin

    await pushAsync(ada.leave())
    await until(seen, ['watcher:1'], 'ada leaves')
    assert.deepEqual(joined, ['watcher', 'ada'])
    assert.deepEqual(left, ['ada'])
  } finally { await Promise.all(sockets.map(phxDisconnect)) }
}))
