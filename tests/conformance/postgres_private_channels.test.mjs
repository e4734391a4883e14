// Private channels under row level security: who may join (read), who may
// broadcast and track (write), what reaches whom, and what a refreshed token
// changes. The policies on realtime.messages decide, as in Supabase:
//   shared-*       every authenticated user reads; only alice writes
//   own-<sub>      only that user reads and writes
//   lounge-*       authenticated users read and write presence only
//   team-*         anon reads when the socket sent x-team: blue
//   boom-*         the policy fails (division by zero)
// service_role bypasses row security; anon has no other policy.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, guard } from './support/server.mjs'
import { sql, pgSkip, freshDatabase, dropDatabase, serverArgs, uniqueName, until } from './support/pg.mjs'
import { openSession, joinPayload, VSNS } from './support/session.mjs'
import { token } from './support/jwt.mjs'
import { rtClient, subscribe, collectBroadcasts, disconnectAll, deferred, withTimeout } from './support/clients.mjs'

let db
let server
let topicN = 0
const fresh = (prefix) => `${prefix}-${process.pid}-${++topicN}`
const userToken = (sub, extra = {}) => token({ role: 'authenticated', sub, ...extra })
const unauthorized = (sub) => `Unauthorized: You do not have permissions to read from this Channel topic: ${sub}`


before(async () => {
  if (pgSkip) return
  db = await freshDatabase('private')
  server = await startServer({ args: [...serverArgs(db, uniqueName('slot')), '--max-joins-per-second', '100000'] })
  await until('the realtime schema', async () =>
    (await sql(db, "select count(*) from pg_inherits where inhparent = to_regclass('realtime.messages')")) === '5')
  await sql(db, `
    create policy read_shared on realtime.messages for select to authenticated
      using (realtime.topic() like 'shared-%');
    create policy write_shared on realtime.messages for insert to authenticated
      with check (realtime.topic() like 'shared-%' and (current_setting('request.jwt.claims', true)::jsonb ->> 'sub') = 'alice');
    create policy read_own on realtime.messages for select to authenticated
      using (realtime.topic() like 'own-%' and split_part(realtime.topic(), '-', 2) = (current_setting('request.jwt.claims', true)::jsonb ->> 'sub'));
    create policy write_own on realtime.messages for insert to authenticated
      with check (realtime.topic() like 'own-%' and split_part(realtime.topic(), '-', 2) = (current_setting('request.jwt.claims', true)::jsonb ->> 'sub'));
    create policy read_lounge on realtime.messages for select to authenticated
      using (realtime.topic() like 'lounge-%' and extension = 'presence');
    create policy write_lounge on realtime.messages for insert to authenticated
      with check (realtime.topic() like 'lounge-%' and extension = 'presence');
    create policy read_team on realtime.messages for select to anon
      using (realtime.topic() like 'team-%' and current_setting('request.headers', true)::jsonb ->> 'x-team' = 'blue');
    create policy boom on realtime.messages for select to authenticated
      using (realtime.topic() like 'boom-%' and 1 / (length(realtime.topic()) - length(realtime.topic())) = 1);`)
})
after(async () => {
  await server?.stop()
  if (db) await dropDatabase(db)
})

// "own-<sub>-<pid>-<n>": readable and writable by <sub> only.
const ownTopic = (sub) => fresh(`own-${sub}`)

function privateChannel(client, sub, config = {}) {
  return client.channel(sub, { config: { private: true, ...config } })
}

// Resolves {status, err} of a subscribe that is expected to fail.
function subscribeOutcome(channel, ms = 5000) {
  return withTimeout(new Promise((resolve) => {
    channel.subscribe((status, err) => resolve({ status, err }))
  }), ms, `subscribe outcome of ${channel.topic}`)
}

describe('joins (read permission)', { skip: pgSkip }, () => {
  for (const vsn of VSNS) {
    test(`who may join a private channel (vsn ${vsn})`, guard(async () => {
      const shared = fresh('shared')
      const ownA = ownTopic('alice')
      const cases = [
        { who: 'alice on shared', apikey: userToken('alice'), sub: shared, ok: true },
        { who: 'bob on shared', apikey: userToken('bob'), sub: shared, ok: true },
        { who: 'anon on shared', apikey: token({ role: 'anon' }), sub: shared, ok: false },
        { who: 'alice on its own', apikey: userToken('alice'), sub: ownA, ok: true },
        { who: 'bob on alice\'s own', apikey: userToken('bob'), sub: ownA, ok: false },
        { who: 'service_role anywhere', apikey: token({ role: 'service_role' }), sub: ownA, ok: true },
        { who: 'a failing policy', apikey: userToken('alice'), sub: fresh('boom'), ok: false },
        { who: 'alice on a public name nobody allows', apikey: userToken('alice'), sub: fresh('nothing'), ok: false },
      ]
      for (const c of cases) {
        const s = await openSession(server, { vsn, apikey: c.apikey })
        try {
          const payload = joinPayload()
          payload.config.private = true
          if (c.ok) await s.join(`realtime:${c.sub}`, payload)
          else await s.joinError(`realtime:${c.sub}`, payload, unauthorized(c.sub))
          // The socket goes on either way.
          await s.heartbeat()
        } finally { await s.close() }
      }
    }))
  }

  test('policies see the socket\'s x- headers as request.headers', guard(async () => {
    const team = fresh('team')
    const payload = joinPayload()
    payload.config.private = true
    const blue = await openSession(server, { apikey: token({ role: 'anon' }), headers: { 'x-team': 'blue' } })
    const red = await openSession(server, { apikey: token({ role: 'anon' }), headers: { 'x-team': 'red' } })
    try {
      await blue.join(`realtime:${team}`, payload)
      await red.joinError(`realtime:${team}`, payload, unauthorized(team))
    } finally { await Promise.all([blue.close(), red.close()]) }
  }))

  test('a join access_token is the one asked about, not the socket\'s', guard(async () => {
    const ownB = ownTopic('bob')
    const s = await openSession(server, { apikey: userToken('alice') })
    try {
      const payload = joinPayload({ access_token: userToken('bob') })
      payload.config.private = true
      await s.join(`realtime:${ownB}`, payload)
    } finally { await s.close() }
  }))

  test('realtime-js: SUBSCRIBED when allowed, CHANNEL_ERROR with the reason when not', guard(async () => {
    const allowed = rtClient(server, { apikey: userToken('alice') })
    const denied = rtClient(server, { apikey: token({ role: 'anon' }) })
    try {
      const shared = fresh('shared')
      await subscribe(privateChannel(allowed, shared))
      const failed = await subscribeOutcome(privateChannel(denied, shared))
      assert.equal(failed.status, 'CHANNEL_ERROR')
      assert.match(String(failed.err?.message ?? failed.err), new RegExp(`Unauthorized: You do not have permissions to read from this Channel topic: ${shared}`))
    } finally { await disconnectAll(allowed, denied) }
  }))
})

describe('broadcast (write permission, separate namespaces)', { skip: pgSkip }, () => {
  test('a writer reaches every private reader; a reader that may not write reaches nobody; public and private never mix', guard(async () => {
    const shared = fresh('shared')
    const a = rtClient(server, { apikey: userToken('alice') })
    const b = rtClient(server, { apikey: userToken('bob'), vsn: '1.0.0' })
    const pub = rtClient(server, { apikey: userToken('carol') })
    try {
      const aChannel = privateChannel(a, shared, { broadcast: { self: true } })
      const bChannel = privateChannel(b, shared, { broadcast: { ack: true } })
      const pubChannel = pub.channel(shared, { config: { broadcast: { ack: true } } })
      const atA = collectBroadcasts(aChannel)
      const atB = collectBroadcasts(bChannel)
      const atPublic = collectBroadcasts(pubChannel)
      await Promise.all([subscribe(aChannel), subscribe(bChannel), subscribe(pubChannel)])

      // alice may write: both private readers (a with self) get it, in order.
      for (let i = 0; i < 5; i++) await aChannel.send({ type: 'broadcast', event: 'note', payload: { i } })
      await atB.until(5)
      await atA.until(5)
      assert.deepEqual(atB.got.map((m) => m.payload.i), [0, 1, 2, 3, 4])

      // bob may not: dropped without a reply, even with ack (realtime-js times out).
      const outcome = await bChannel.send({ type: 'broadcast', event: 'note', payload: { from: 'b' } }, { timeout: 1000 })
      assert.equal(outcome, 'timed out')

      // A public broadcast of the same name reaches the public channel only.
      assert.equal(await pubChannel.send({ type: 'broadcast', event: 'note', payload: { from: 'public' } }), 'ok')
      await atA.quiet(500)
      assert.equal(atPublic.got.length, 0, 'the private broadcasts reached the public channel')
      assert.equal(atB.got.filter((m) => m.payload.from).length, 0, `unexpected: ${JSON.stringify(atB.got)}`)
      assert.equal(atA.got.filter((m) => m.payload.from).length, 0, `unexpected: ${JSON.stringify(atA.got)}`)
    } finally { await disconnectAll(a, b, pub) }
  }))

  for (const vsn of VSNS) {
    test(`broadcasts sent before the write answer wait and go out in order (vsn ${vsn})`, guard(async () => {
      const own = ownTopic('alice')
      const s = await openSession(server, { vsn, apikey: userToken('alice') })
      try {
        const payload = joinPayload({ self: true, ack: true })
        payload.config.private = true
        const jr = await s.join(`realtime:${own}`, payload)
        const refs = []
        for (let i = 0; i < 20; i++) {
          const ref = s.nextRef()
          refs.push(ref)
          s.send([jr, ref, `realtime:${own}`, 'broadcast', { type: 'broadcast', event: 'seq', payload: { i } }])
        }
        const seen = []
        const acks = []
        while (seen.length < 20 || acks.length < 20) {
          const f = await s.c.next(() => true, 5000, `echoes and acks (${seen.length}, ${acks.length})`)
          if (f.msg.event === 'broadcast') seen.push(f.msg.payload.payload.i)
          else if (f.msg.event === 'phx_reply') acks.push(f.msg.ref)
        }
        assert.deepEqual(seen, [...Array(20).keys()])
        assert.deepEqual(acks, refs)
      } finally { await s.close() }
    }))
  }
})

describe('presence', { skip: pgSkip }, () => {
  test('presence read without broadcast read: joins, tracks, syncs, hears no broadcasts', guard(async () => {
    const lounge = fresh('lounge')
    const a = rtClient(server, { apikey: userToken('alice') })
    const b = rtClient(server, { apikey: userToken('bob') })
    const svc = rtClient(server, { apikey: token({ role: 'service_role' }) })
    try {
      const aChannel = privateChannel(a, lounge, { presence: { key: 'a' } })
      const bChannel = privateChannel(b, lounge, { presence: { key: 'b' } })
      const svcChannel = privateChannel(svc, lounge)
      const atA = collectBroadcasts(aChannel)
      const synced = deferred()
      aChannel.on('presence', { event: 'sync' }, () => {
        const keys = Object.keys(aChannel.presenceState()).sort()
        if (keys.join() === 'a,b') synced.resolve(keys)
      })
      await Promise.all([subscribe(aChannel), subscribe(bChannel), subscribe(svcChannel)])
      assert.equal(await aChannel.track({ name: 'a' }), 'ok')
      assert.equal(await bChannel.track({ name: 'b' }), 'ok')
      await withTimeout(synced.promise, 5000, 'a sees a and b')
      // service_role may write broadcasts; a may not read them.
      assert.equal(await svcChannel.send({ type: 'broadcast', event: 'hello', payload: {} }), 'ok')
      await atA.quiet(500)
      assert.equal(atA.got.length, 0)
    } finally { await disconnectAll(a, b, svc) }
  }))

  test('a track without presence write gets an error reply; the channel stays', guard(async () => {
    const shared = fresh('shared')
    const s = await openSession(server, { apikey: userToken('bob') })
    try {
      const payload = joinPayload()
      payload.config.private = true
      const jr = await s.join(`realtime:${shared}`, payload)
      const ref = s.nextRef()
      s.send([jr, ref, `realtime:${shared}`, 'presence', { type: 'presence', event: 'track', payload: { x: 1 } }])
      await s.expectNext([jr, ref, `realtime:${shared}`, 'phx_reply', { status: 'error', response: {} }])
      await s.heartbeat()
    } finally { await s.close() }
  }))
})

describe('refreshed tokens', { skip: pgSkip }, () => {
  for (const vsn of VSNS) {
    test(`a token that loses read permission ends the channel (vsn ${vsn})`, guard(async () => {
      const own = ownTopic('alice')
      const s = await openSession(server, { vsn, apikey: userToken('alice') })
      try {
        const payload = joinPayload()
        payload.config.private = true
        const topic = `realtime:${own}`
        const jr = await s.join(topic, payload)
        // Same user, new token: still allowed, nothing is said.
        s.send([jr, s.nextRef(), topic, 'access_token', { access_token: userToken('alice', { expIn: 7200 }) }])
        await s.heartbeat()
        // Another user: the read is gone.
        s.send([jr, s.nextRef(), topic, 'access_token', { access_token: userToken('bob') }])
        await s.expectNext([jr, null, topic, 'system', {
          extension: 'system', status: 'error', channel: own,
          message: `You no longer have permission to read from this Channel topic: ${own}`,
        }], 5000)
        await s.expectNext([jr, jr, topic, 'phx_close', {}])
        await s.heartbeat()
      } finally { await s.close() }
    }))
  }

  test('a new token asks write permission again: a user that could not write now can', guard(async () => {
    const shared = fresh('shared')
    const s = await openSession(server, { apikey: userToken('bob') })
    try {
      const payload = joinPayload({ self: true, ack: true })
      payload.config.private = true
      const topic = `realtime:${shared}`
      const jr = await s.join(topic, payload)
      const denied = s.nextRef()
      s.send([jr, denied, topic, 'broadcast', { type: 'broadcast', event: 'e', payload: { n: 1 } }])
      s.send([jr, s.nextRef(), topic, 'access_token', { access_token: userToken('alice') }])
      const ref = s.nextRef()
      s.send([jr, ref, topic, 'broadcast', { type: 'broadcast', event: 'e', payload: { n: 2 } }])
      const echo = await s.c.next((f) => f.msg?.event === 'broadcast', 5000, 'the allowed echo')
      assert.equal(echo.msg.payload.payload.n, 2)
      const ack = await s.c.nextMsg({ event: 'phx_reply', ref })
      assert.deepEqual(ack.msg.payload, { status: 'ok', response: {} })
    } finally { await s.close() }
  }))

  test('realtime-js setAuth: a token that keeps the read changes nothing, one that loses it closes the channel', guard(async () => {
    const own = ownTopic('alice')
    const client = rtClient(server, { apikey: userToken('alice') })
    try {
      const channel = privateChannel(client, own, { broadcast: { self: true, ack: true } })
      const revoked = deferred()
      channel.on('system', {}, (m) => {
        if (m.status === 'error' && m.message === `You no longer have permission to read from this Channel topic: ${own}`) revoked.resolve()
      })
      await subscribe(channel)
      await client.setAuth(userToken('alice', { expIn: 7200 }))
      assert.equal(await channel.send({ type: 'broadcast', event: 'still', payload: {} }), 'ok')
      await client.setAuth(userToken('bob'))
      await withTimeout(revoked.promise, 5000, 'the revocation system message')
      await until('the channel closes', async () => channel.state === 'closed', 5000)
    } finally { await disconnectAll(client) }
  }))
})
