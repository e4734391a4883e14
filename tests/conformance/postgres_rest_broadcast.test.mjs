// Private REST broadcasts ask realtime.messages' insert policies, as Supabase
// does, with the token's role and claims and all request headers: the single
// endpoint answers 403 when the policy says no (422 for a policy that cannot
// run), the batch endpoint drops the denied messages and still answers 202.
// A private message never reaches public subscribers of its topic.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, guard } from './support/server.mjs'
import { openSession } from './support/session.mjs'
import { token } from './support/jwt.mjs'
import { sql, pgSkip, freshDatabase, dropDatabase, serverArgs, uniqueName } from './support/pg.mjs'
import { rtClient, subscribe, collectBroadcasts, disconnectAll } from './support/clients.mjs'

let db
let server
before(async () => {
  if (pgSkip) return
  db = await freshDatabase('rest')
  server = await startServer({ args: serverArgs(db, uniqueName('slot')) })
  // The server installs the realtime schema and today's partition at startup.
  const deadline = Date.now() + 15_000
  while ((await sql(db, "select count(*) from pg_inherits where inhparent = to_regclass('realtime.messages')")) !== '5') {
    if (Date.now() > deadline) throw new Error('the realtime schema was not installed')
    await new Promise((r) => setTimeout(r, 100))
  }
  await sql(db, `
    create policy user_a_writes on realtime.messages for insert to authenticated
      with check ((current_setting('request.jwt.claims', true)::jsonb ->> 'sub') = 'user-a');
    create policy header_writes on realtime.messages for insert to authenticated
      with check ((current_setting('request.headers', true)::jsonb ->> 'x-allow') = 'yes'
                  and realtime.topic() = 'header-room');`)
})
after(async () => {
  await server?.stop()
  if (db) await dropDatabase(db)
})

const userToken = (sub, role = 'authenticated') => token({ role, sub })
let topicN = 0
const freshTopic = (name) => `${name}-${process.pid}-${++topicN}`

async function post(path, { body = '{}', headers = {}, bearer } = {}) {
  const res = await fetch(`${server.httpUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, ...headers },
    body,
  })
  const text = await res.text()
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined }
}

const single = (topic, bearer, headers) => post(`/api/broadcast/${topic}/events/e?private=true`, { bearer, headers })

test('single private message: 202 when the insert policy allows the user, 403 otherwise', { skip: pgSkip }, guard(async () => {
  const topic = freshTopic('room')
  assert.equal((await single(topic, userToken('user-a'))).status, 202)
  for (const bearer of [userToken('user-b'), userToken('user-a', 'anon'), token()]) {
    const res = await single(topic, bearer)
    assert.equal(res.status, 403)
    assert.deepEqual(res.json, { message: 'Unauthorized' })
  }
  // service_role has BYPASSRLS.
  assert.equal((await single(topic, token({ role: 'service_role' }))).status, 202)
  // A public message needs no policy.
  assert.equal((await post(`/api/broadcast/${topic}/events/e`, { bearer: userToken('user-b') })).status, 202)
}))

test('the policies see every request header, lower-cased, and the sub-topic', { skip: pgSkip }, guard(async () => {
  const bearer = userToken('user-c')
  assert.equal((await single('header-room', bearer, { 'X-Allow': 'yes' })).status, 202)
  assert.equal((await single('header-room', bearer, { 'X-Allow': 'no' })).status, 403)
  assert.equal((await single('other-room', bearer, { 'X-Allow': 'yes' })).status, 403)
}))

test('a policy that cannot run (the token names no role) is a 422', { skip: pgSkip }, guard(async () => {
  const res = await single(freshTopic('room'), token({ role: 'no_such_role', sub: 'user-a' }))
  assert.equal(res.status, 422)
  assert.deepEqual(res.json, { message: 'RLS policy error' })
}))

test('batch: denied private messages are dropped silently (202); no private message reaches public subscribers', { skip: pgSkip }, guard(async () => {
  const topic = freshTopic('mixed')
  const [v1, v2] = await Promise.all([openSession(server, { vsn: '1.0.0' }), openSession(server, { vsn: '2.0.0' })])
  try {
    for (const s of [v1, v2]) await s.join(`realtime:${topic}`)
    const messages = (event, isPrivate) => ({ topic, event, payload: { event }, private: isPrivate })
    const denied = await post('/api/broadcast', {
      bearer: userToken('user-b'),
      body: JSON.stringify({ messages: [messages('denied', true), { ...messages('denied-too', true), topic: 'elsewhere' }, messages('public-1', false)] }),
    })
    assert.equal(denied.status, 202)
    assert.equal(denied.text, '')
    const allowed = await post('/api/broadcast', { bearer: userToken('user-a'), body: JSON.stringify({ messages: [messages('allowed', true), messages('public-2', false)] }) })
    assert.equal(allowed.status, 202)
    assert.equal((await single(topic, userToken('user-a'))).status, 202)
    for (const s of [v1, v2]) {
      assert.equal((await s.c.next()).msg.payload.event, 'public-1')
      assert.equal((await s.c.next()).msg.payload.event, 'public-2')
      await s.c.expectNoFrame(500)
    }
  } finally { await Promise.all([v1.close(), v2.close()]) }
}))

test('private REST messages reach private subscribers only when the policy allows the sender', { skip: pgSkip }, guard(async () => {
  const topic = freshTopic('deliver')
  // service_role bypasses row security: it may read every private topic.
  const reader = rtClient(server, { apikey: token({ role: 'service_role' }) })
  const publicReader = rtClient(server, { apikey: token({ role: 'service_role' }) })
  const alice = rtClient(server, { apikey: userToken('user-a') })
  const bob = rtClient(server, { apikey: userToken('user-b') })
  try {
    const privateChannel = reader.channel(topic, { config: { private: true } })
    const publicChannel = publicReader.channel(topic)
    const inbox = collectBroadcasts(privateChannel)
    const publicInbox = collectBroadcasts(publicChannel)
    await Promise.all([subscribe(privateChannel), subscribe(publicChannel)])

    // httpSend on a private channel (not joined) goes to the single endpoint.
    await alice.channel(topic, { config: { private: true } }).httpSend('from-alice', { n: 1 })
    await assert.rejects(bob.channel(topic, { config: { private: true } }).httpSend('from-bob', { n: 2 }))
    // The batch endpoint with an id: delivered with meta.id for alice, dropped for bob.
    const batch = (sender, id) => post('/api/broadcast', {
      bearer: userToken(sender),
      body: JSON.stringify({ messages: [{ topic, event: `batch-${sender}`, payload: { id }, private: true, id }] }),
    })
    const id = '00000000-0000-4000-8000-0000000000a1'
    assert.equal((await batch('user-a', id)).status, 202)
    assert.equal((await batch('user-b', '00000000-0000-4000-8000-0000000000b2')).status, 202)

    await inbox.until(2, 5000)
    await inbox.quiet(500)
    assert.deepEqual(inbox.got.map((m) => m.event), ['from-alice', 'batch-user-a'])
    assert.deepEqual(inbox.got[0].payload, { n: 1 })
    assert.deepEqual(inbox.got[1].meta, { id })
    assert.equal(publicInbox.got.length, 0, 'a private REST message reached a public channel')
  } finally { await disconnectAll(reader, publicReader, alice, bob) }
}))
