// Per-channel tokens: access_token in the join payload, and the access_token
// event on a joined channel (raw frames, both vsn, plus realtime-js setAuth).
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, guard, freePort } from './support/server.mjs'
import { openSession, joinPayload, VSNS } from './support/session.mjs'
import { sign, token, nowSec, SECRET } from './support/jwt.mjs'
import { rtClient, subscribe, collectBroadcasts, disconnectAll, deferred, withTimeout } from './support/clients.mjs'

let server
before(async () => {
  // No database listens on --db-port: private channels cannot be asked about.
  server = await startServer({ args: ['--max-joins-per-second', '100000', '--db-port', String(await freePort())] })
})
after(async () => { await server?.stop() })

const OTHER_SECRET = 'a-different-secret-that-is-also-long-enough'
let topicN = 0
const freshSub = (name) => `${name}-${process.pid}-${++topicN}`

// Reads the next frame, which must be a join error reply; returns the reason.
async function joinErrorReason(s, topic, payload) {
  const ref = s.nextRef()
  s.send([ref, ref, topic, 'phx_join', payload])
  const f = await s.c.next(() => true, 3000, `join reply for ${topic}`)
  assert.equal(f.msg?.event, 'phx_reply', `expected a reply, got ${f.data}`)
  assert.equal(f.msg.ref, ref)
  assert.equal(f.msg.payload.status, 'error', `expected an error reply, got ${f.data}`)
  if (s.vsn === '2.0.0') assert.equal(f.json[0], ref)
  return f.msg.payload.response.reason
}

// Proves a channel is alive: a self+ack broadcast comes back and is acked.
async function assertChannelWorks(s, topic, jr) {
  const ref = s.nextRef()
  const msg = { type: 'broadcast', event: 'alive', payload: { ref } }
  s.send([jr, ref, topic, 'broadcast', msg])
  const ack = await s.c.nextMsg({ event: 'phx_reply', ref })
  assert.deepEqual(ack.msg.payload, { status: 'ok', response: {} })
  const echo = await s.c.next((f) => f.msg?.event === 'broadcast' && f.msg.topic === topic && f.msg.payload?.payload?.ref === ref)
  assert.deepEqual(echo.msg.payload, msg)
}

for (const vsn of VSNS) {
  describe(`join with access_token (vsn ${vsn})`, () => {
    test('a valid per-channel token is accepted', guard(async () => {
      const s = await openSession(server, { vsn, apikey: token({ role: 'anon' }) })
      try {
        await s.join(`realtime:${freshSub('valid')}`, joinPayload({ access_token: token({ role: 'authenticated', sub: 'user-1' }) }))
      } finally { await s.close() }
    }))

    test('an expired per-channel token is refused with InvalidJWTToken and the socket stays usable', guard(async () => {
      const s = await openSession(server, { vsn })
      try {
        const reason = await joinErrorReason(s, `realtime:${freshSub('expired')}`, joinPayload({ access_token: token({ expIn: -10 }) }))
        const m = /^InvalidJWTToken: Token has expired (\d+) seconds ago$/.exec(reason)
        assert.ok(m, `reason was ${JSON.stringify(reason)}`)
        assert.ok(Number(m[1]) >= 10 && Number(m[1]) <= 13, `seconds ago = ${m[1]}`)
        await s.heartbeat()
        await s.join(`realtime:${freshSub('after-expired')}`)
      } finally { await s.close() }
    }))

    test('a per-channel token signed with another secret is refused with JwtSignatureError', guard(async () => {
      const s = await openSession(server, { vsn })
      try {
        const reason = await joinErrorReason(s, `realtime:${freshSub('wrong-secret')}`, joinPayload({ access_token: token({ secret: OTHER_SECRET }) }))
        assert.equal(reason, 'JwtSignatureError: Failed to validate JWT signature')
      } finally { await s.close() }
    }))

    test('a malformed per-channel token is refused with MalformedJWT', guard(async () => {
      const s = await openSession(server, { vsn })
      try {
        const reason = await joinErrorReason(s, `realtime:${freshSub('malformed')}`, joinPayload({ access_token: 'definitely-not-a-jwt' }))
        assert.equal(reason, 'MalformedJWT: The token provided is not a valid JWT')
      } finally { await s.close() }
    }))

    test('a per-channel token without role is refused (role and exp required)', guard(async () => {
      const s = await openSession(server, { vsn })
      try {
        const reason = await joinErrorReason(s, `realtime:${freshSub('no-role')}`, joinPayload({ access_token: sign({ exp: nowSec() + 600 }, SECRET) }))
        assert.equal(reason, 'InvalidJWTToken: Fields `role` and `exp` are required in JWT')
      } finally { await s.close() }
    }))

    test('the per-channel token overrides the socket token only for its channel', guard(async () => {
      const s = await openSession(server, { vsn })
      try {
        await joinErrorReason(s, `realtime:${freshSub('bad-one')}`, joinPayload({ access_token: token({ expIn: -100 }) }))
        // a join without access_token falls back to the (valid) socket token
        const topic = `realtime:${freshSub('good-one')}`
        const jr = await s.join(topic, joinPayload({ self: true, ack: true }))
        await assertChannelWorks(s, topic, jr)
      } finally { await s.close() }
    }))
  })

  describe(`access_token event (vsn ${vsn})`, () => {
    test('a valid new token gets no reply and the channel keeps working', guard(async () => {
      const s = await openSession(server, { vsn })
      try {
        const topic = `realtime:${freshSub('refresh')}`
        const jr = await s.join(topic, joinPayload({ self: true, ack: true }))
        s.send([jr, s.nextRef(), topic, 'access_token', { access_token: token({ role: 'authenticated', expIn: 7200 }) }])
        await s.c.expectNoFrame(300)
        // sending the same token again is also silent
        s.send([jr, s.nextRef(), topic, 'access_token', { access_token: token({ role: 'authenticated', expIn: 7200 }) }])
        await s.c.expectNoFrame(300)
        await assertChannelWorks(s, topic, jr)
      } finally { await s.close() }
    }))

    test('an expired token pushes a system error, closes that channel only, and keeps the socket open', guard(async () => {
      const s = await openSession(server, { vsn })
      try {
        const sub = freshSub('expire-me')
        const topic = `realtime:${sub}`
        const other = `realtime:${freshSub('bystander')}`
        const jr = await s.join(topic, joinPayload({ self: true, ack: true }))
        const jrOther = await s.join(other, joinPayload({ self: true, ack: true }))

        s.send([jr, s.nextRef(), topic, 'access_token', { access_token: token({ expIn: -5 }) }])
        const sys = await s.c.next(() => true, 3000, 'system push')
        assert.equal(sys.msg?.event, 'system', `expected system push, got ${sys.data}`)
        const { message, ...rest } = sys.msg.payload
        assert.deepEqual(rest, { extension: 'system', status: 'error', channel: sub })
        assert.match(message, /^Token has expired \d+ seconds ago$/)
        assert.deepEqual(sys.json, vsn === '1.0.0'
          ? { topic, event: 'system', payload: sys.msg.payload, ref: null }
          : [jr, null, topic, 'system', sys.msg.payload])
        await s.expectNext([jr, jr, topic, 'phx_close', {}])

        // the closed channel is gone; the other channel and the socket are fine
        const ref = s.nextRef()
        s.send([jr, ref, topic, 'custom', {}])
        await s.expectNext([null, ref, topic, 'phx_reply', { status: 'error', response: { reason: 'unmatched topic' } }])
        await assertChannelWorks(s, other, jrOther)
        await s.heartbeat()
      } finally { await s.close() }
    }))

    test('a malformed token pushes a system error with the JWT message then phx_close', guard(async () => {
      const s = await openSession(server, { vsn })
      try {
        const sub = freshSub('malformed-refresh')
        const topic = `realtime:${sub}`
        const jr = await s.join(topic)
        s.send([jr, s.nextRef(), topic, 'access_token', { access_token: 'garbage' }])
        const expected = { extension: 'system', status: 'error', message: 'The token provided is not a valid JWT', channel: sub }
        await s.expectNext([jr, null, topic, 'system', expected])
        await s.expectNext([jr, jr, topic, 'phx_close', {}])
        await s.heartbeat()
      } finally { await s.close() }
    }))

    test('a token signed with another secret pushes a system error then phx_close', guard(async () => {
      const s = await openSession(server, { vsn })
      try {
        const sub = freshSub('foreign-refresh')
        const topic = `realtime:${sub}`
        const jr = await s.join(topic)
        s.send([jr, s.nextRef(), topic, 'access_token', { access_token: token({ secret: OTHER_SECRET }) }])
        const expected = { extension: 'system', status: 'error', message: 'Failed to validate JWT signature', channel: sub }
        await s.expectNext([jr, null, topic, 'system', expected])
        await s.expectNext([jr, jr, topic, 'phx_close', {}])
      } finally { await s.close() }
    }))
  })
}

describe('realtime-js setAuth', () => {
  for (const vsn of VSNS) {
    test(`setAuth(valid) keeps channels subscribed; setAuth(expired) closes them (vsn ${vsn})`, guard(async () => {
      const client = rtClient(server, { vsn })
      const peer = rtClient(server, { vsn: '2.0.0' })
      try {
        const topic = freshSub('setauth')
        const channel = client.channel(topic, { config: { broadcast: { self: true } } })
        const inbox = collectBroadcasts(channel)
        const closed = deferred()
        const statuses = []
        channel.subscribe((status) => {
          statuses.push(status)
          if (status === 'CLOSED' || status === 'CHANNEL_ERROR') closed.resolve(status)
        })
        await withTimeout(new Promise((resolve) => {
          const t = setInterval(() => { if (statuses.includes('SUBSCRIBED')) { clearInterval(t); resolve() } }, 20)
        }), 5000, 'SUBSCRIBED')

        await client.setAuth(token({ role: 'authenticated', expIn: 7200 }))
        await channel.send({ type: 'broadcast', event: 'after-auth', payload: { n: 1 } })
        assert.deepEqual(await inbox.until(1), [{ type: 'broadcast', event: 'after-auth', payload: { n: 1 } }])
        assert.equal(channel.state, 'joined')

        await client.setAuth(token({ expIn: -30 }))
        await withTimeout(closed.promise, 3000, 'channel closed after an expired token')
        assert.notEqual(channel.state, 'joined')
        assert.equal(client.isConnected(), true, 'the socket stays open')

        // the socket still serves new channels
        const again = client.channel(freshSub('setauth-after'))
        const peerChannel = peer.channel(again.subTopic)
        const peerInbox = collectBroadcasts(peerChannel)
        await client.setAuth(token({ expIn: 3600 }))
        await Promise.all([subscribe(again), subscribe(peerChannel)])
        await again.send({ type: 'broadcast', event: 'still-here', payload: {} })
        await peerInbox.until(1)
      } finally { await disconnectAll(client, peer) }
    }))
  }
})

describe('private channels without a database', () => {
  for (const vsn of VSNS) {
    test(`a private join is refused as unanswerable, and the socket stays usable (vsn ${vsn})`, guard(async () => {
      const s = await openSession(server, { vsn, apikey: token({ role: 'service_role' }) })
      try {
        const sub = freshSub('private')
        const payload = joinPayload()
        payload.config.private = true
        const reason = await joinErrorReason(s, `realtime:${sub}`, payload)
        assert.equal(reason, 'UnableToConnectToProject: Realtime was unable to connect to the project database')
        await s.heartbeat()
        await s.join(`realtime:${freshSub('public-after-private')}`)
      } finally { await s.close() }
    }))
  }

  test('realtime-js reports CHANNEL_ERROR for a private channel', guard(async () => {
    const client = rtClient(server, {})
    try {
      const channel = client.channel(freshSub('rt-private'), { config: { private: true } })
      const failed = await withTimeout(new Promise((resolve) => {
        channel.subscribe((status, err) => { if (status !== 'SUBSCRIBED') resolve({ status, err }) })
      }), 5000, 'subscribe outcome')
      assert.equal(failed.status, 'CHANNEL_ERROR')
      assert.match(String(failed.err?.message ?? failed.err), /UnableToConnectToProject: Realtime was unable to connect to the project database/)
    } finally { await disconnectAll(client) }
  }))
})
