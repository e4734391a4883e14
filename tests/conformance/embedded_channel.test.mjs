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
