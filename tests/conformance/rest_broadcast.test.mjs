// Supabase's REST broadcast endpoints (docs/rest.md): realtime-js httpSend()
// and its send() fallback before subscribing, raw batches, and every refusal
// (401, 405, 413, 415, 422, 429), CORS, keep-alive and the private/public
// separation of published messages. Private messages with row level security
// are in postgres_rest_broadcast.test.mjs.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { startServer, guard } from './support/server.mjs'
import { openSession, VSNS } from './support/session.mjs'
import { token } from './support/jwt.mjs'
import { rtClient, subscribe, collectBroadcasts, disconnectAll } from './support/clients.mjs'

const PAYLOAD_LIMIT_KB = 4
const REST_BODY_LIMIT = 20_000
let server
before(async () => {
  server = await startServer({
    args: ['--max-joins-per-second', '100000', '--max-payload-size-kb', String(PAYLOAD_LIMIT_KB),
      '--max-rest-body-bytes', String(REST_BODY_LIMIT), '--max-events-per-second', '100000'],
  })
})
after(async () => { await server?.stop() })

let topicN = 0
const freshTopic = (name) => `${name}-${process.pid}-${++topicN}`
const bcast = (event, payload) => ({ type: 'broadcast', event, payload })
const UNAUTHORIZED = { message: 'Unauthorized' }

// post(path, {body, headers, auth}): a fetch() POST with a valid bearer token
// and JSON content type unless overridden; resolves {status, headers, text, json}.
async function post(path, { body = '', headers = {}, auth = `Bearer ${token()}`, method = 'POST', target = server } = {}) {
  const h = { 'content-type': 'application/json', ...headers }
  if (auth !== null) h.authorization = auth
  for (const [k, v] of Object.entries(h)) if (v === null) delete h[k]
  const res = await fetch(`${target.httpUrl}${path}`, { method, headers: h, body: method === 'GET' ? undefined : body })
  const text = await res.text()
  let json
  try { json = JSON.parse(text) } catch { json = undefined }
  return { status: res.status, headers: res.headers, text, json }
}

const batchBody = (messages) => JSON.stringify({ messages })

// Raw sessions of each vsn joined to `realtime:<topic>`.
async function rawSubscribers(topic, vsns = VSNS) {
  const sessions = await Promise.all(vsns.map((vsn) => openSession(server, { vsn })))
  for (const s of sessions) await s.join(`realtime:${topic}`)
  return sessions
}

describe('realtime-js httpSend()', () => {
  test('a JSON payload reaches vsn 1.0.0 and 2.0.0 subscribers', guard(async () => {
    const topic = freshTopic('http-json')
    const sender = rtClient(server)
    const receivers = VSNS.map((vsn) => rtClient(server, { vsn }))
    try {
      const channels = receivers.map((c) => c.channel(topic))
      const inboxes = channels.map((ch) => collectBroadcasts(ch))
      await Promise.all(channels.map((ch) => subscribe(ch)))
      const payload = { text: 'héllo ✓', n: 1, nested: { a: [1, null, true] } }
      assert.deepEqual(await sender.channel(topic).httpSend('chat', payload), { success: true })
      for (const inbox of inboxes) assert.deepEqual(await inbox.until(1), [bcast('chat', payload)])
    } finally { await disconnectAll(sender, ...receivers) }
  }))

  test('the wire frames: kind 4 with JSON encoding for V2, a text broadcast for V1', guard(async () => {
    const topic = freshTopic('http-wire')
    const [v1, v2] = await rawSubscribers(topic)
    const sender = rtClient(server)
    try {
      const payload = { x: 1, s: 'ü' }
      await sender.channel(topic).httpSend('ev', payload)
      const full = Buffer.from(`realtime:${topic}`)
      const body = Buffer.from(JSON.stringify(payload))
      const f2 = await v2.c.next()
      assert.equal(f2.opcode, 'binary')
      assert.equal(f2.data.toString('hex'),
        Buffer.concat([Buffer.from([4, full.length, 2, 0, 1]), full, Buffer.from('ev'), body]).toString('hex'))
      const f1 = await v1.c.next()
      assert.deepEqual(f1.json, { topic: `realtime:${topic}`, event: 'broadcast', payload: bcast('ev', payload), ref: null })
    } finally { await Promise.all([v1.close(), v2.close(), disconnectAll(sender)]) }
  }))

  test('a binary payload reaches V2 byte-identical and skips V1', guard(async () => {
    const topic = freshTopic('http-binary')
    const receivers = VSNS.map((vsn) => rtClient(server, { vsn }))
    const sender = rtClient(server)
    try {
      const channels = receivers.map((c) => c.channel(topic))
      const [atV1, atV2] = channels.map((ch) => collectBroadcasts(ch))
      await Promise.all(channels.map((ch) => subscribe(ch)))
      const bytes = new Uint8Array([0, 1, 2, 250, 251, 255, 0x7b])
      assert.deepEqual(await sender.channel(topic).httpSend('bin', bytes), { success: true })
      await sender.channel(topic).httpSend('after', { json: true })
      const got = await atV2.until(2)
      assert.equal(got[0].event, 'bin')
      assert.ok(got[0].payload instanceof ArrayBuffer)
      assert.deepEqual(new Uint8Array(got[0].payload), bytes)
      assert.deepEqual(got[1], bcast('after', { json: true }))
      assert.deepEqual(await atV1.until(1), [bcast('after', { json: true })], 'V1 skipped the binary broadcast')
    } finally { await disconnectAll(sender, ...receivers) }
  }))

  test('topics and events are percent-decoded; a JSON value that is not an object is wrapped as Plug wraps it', guard(async () => {
    const topic = `${freshTopic('room')}:a/b c`
    const [v2] = await rawSubscribers(topic, ['2.0.0'])
    const sender = rtClient(server)
    try {
      await sender.channel(topic).httpSend('ev/ent ü', [1, 'two'])
      const f = await v2.c.next()
      assert.deepEqual(f.msg.payload, bcast('ev/ent ü', { _json: [1, 'two'] }))
      assert.equal(f.msg.topic, `realtime:${topic}`)
    } finally { await Promise.all([v2.close(), disconnectAll(sender)]) }
  }))

  test('an error status rejects with the server message', guard(async () => {
    const client = rtClient(server, { apikey: 'not-a-jwt' })
    try {
      await assert.rejects(client.channel(freshTopic('x')).httpSend('e', {}), /Unauthorized/)
    } finally { await disconnectAll(client) }
  }))
})

describe('realtime-js send() before subscribing falls back to POST /api/broadcast', () => {
  for (const vsn of VSNS) {
    test(`vsn ${vsn} sender`, guard(async () => {
      const topic = freshTopic(`fallback-${vsn}`)
      const receivers = VSNS.map((v) => rtClient(server, { vsn: v }))
      const sender = rtClient(server, { vsn })
      try {
        const channels = receivers.map((c) => c.channel(topic))
        const inboxes = channels.map((ch) => collectBroadcasts(ch))
        await Promise.all(channels.map((ch) => subscribe(ch)))
        assert.equal(await sender.channel(topic).send(bcast('via-rest', { n: 7 })), 'ok')
        for (const inbox of inboxes) assert.deepEqual(await inbox.until(1), [bcast('via-rest', { n: 7 })])
      } finally { await disconnectAll(sender, ...receivers) }
    }))
  }
})

describe('POST /api/broadcast (batch)', () => {
  test('several topics and an id: text broadcasts with meta inside the payload, in Jason key order', guard(async () => {
    const a = freshTopic('batch-a')
    const b = freshTopic('batch-b')
    const [a1, a2] = await rawSubscribers(a)
    const [b2] = await rawSubscribers(b, ['2.0.0'])
    try {
      const id = '0F6D4E2A-1B2C-4D5E-8F90-A1B2C3D4E5F6'
      const res = await post('/api/broadcast', {
        body: batchBody([
          { topic: a, event: 'one', payload: { n: 1 } },
          { topic: b, event: 'two', payload: { n: 2 }, id, private: false },
          { topic: a, event: 'three', payload: {} },
        ]),
      })
      assert.equal(res.status, 202)
      assert.equal(res.text, '')
      for (const s of [a1, a2]) {
        const f = await s.c.next()
        assert.equal(f.opcode, 'text')
        const { topic, event, payload } = f.msg
        assert.deepEqual({ topic, event, payload }, { topic: `realtime:${a}`, event: 'broadcast', payload: bcast('one', { n: 1 }) })
        assert.equal((await s.c.next()).msg.payload.event, 'three')
      }
      const f = await b2.c.next()
      assert.ok(f.data.toString().includes(
        `{"event":"two","meta":{"id":"${id.toLowerCase()}"},"payload":{"n":2},"type":"broadcast"}`), f.data.toString())
      await b2.c.expectNoFrame(200)
    } finally { await Promise.all([a1, a2, b2].map((s) => s.close())) }
  }))

  test('under /realtime/v1 too, with the token in the apikey header', guard(async () => {
    const topic = freshTopic('prefixed')
    const [v2] = await rawSubscribers(topic, ['2.0.0'])
    try {
      const res = await post('/realtime/v1/api/broadcast?apikey=ignored&vsn=2.0.0', {
        auth: null, headers: { apikey: token() }, body: batchBody([{ topic, event: 'e', payload: { ok: true } }]),
      })
      assert.equal(res.status, 202)
      assert.deepEqual((await v2.c.next()).msg.payload, bcast('e', { ok: true }))
    } finally { await v2.close() }
  }))

  test('422: Supabase\'s changeset errors, nothing published', guard(async () => {
    const topic = freshTopic('invalid')
    const [v2] = await rawSubscribers(topic, ['2.0.0'])
    try {
      const res = await post('/api/broadcast', {
        body: batchBody([{ topic }, { payload: { data: 'data' } }, { topic, payload: { data: 'data' }, event: 'event' }]),
      })
      assert.equal(res.status, 422)
      assert.equal(res.text, '{"errors":{"messages":[{"event":["can\'t be blank"],"payload":["can\'t be blank"]},' +
        '{"event":["can\'t be blank"],"topic":["can\'t be blank"]},{}]}}')
      await v2.c.expectNoFrame(300)
    } finally { await v2.close() }
    const cases = [
      [{}, '{"errors":{"messages":["can\'t be blank"]}}'],
      [{ messages: [] }, '{"errors":{"messages":["can\'t be blank"]}}'],
      [{ messages: 'x' }, '{"errors":{"messages":["is invalid"]}}'],
      [{ messages: [{ topic: 1, event: 'e', payload: [], private: 'maybe', id: 'nope' }] },
        '{"errors":{"messages":[{"id":["is invalid"],"payload":["is invalid"],"private":["is invalid"],"topic":["is invalid"]}]}}'],
      [{ messages: [{ topic: 't', event: 'e', payload: { big: 'x'.repeat(PAYLOAD_LIMIT_KB * 1000) } }] },
        '{"errors":{"messages":[{"payload":["Payload size exceeds tenant limit"]}]}}'],
    ]
    for (const [body, expected] of cases) {
      const r = await post('/api/broadcast', { body: JSON.stringify(body) })
      assert.equal(r.status, 422, JSON.stringify(body))
      assert.equal(r.text, expected)
    }
    // A body that is not declared JSON is not read (Plug), so it has no messages.
    const plain = await post('/api/broadcast', { headers: { 'content-type': 'text/plain' }, body: batchBody([{ topic, event: 'e', payload: {} }]) })
    assert.equal(plain.status, 422)
    assert.deepEqual(plain.json, { errors: { messages: ["can't be blank"] } })
  }))

  test('400 for a body that is not JSON', guard(async () => {
    const res = await post('/api/broadcast', { body: '{"messages":[' })
    assert.equal(res.status, 400)
    assert.deepEqual(res.json, { message: 'Bad Request' })
  }))
})

describe('refusals', () => {
  test('401 without a token, with a bad one or an expired one', guard(async () => {
    const body = batchBody([{ topic: 't', event: 'e', payload: {} }])
    const bad = [
      { auth: null },
      { auth: 'Bearer not-a-jwt' },
      { auth: `Bearer ${token({ secret: 'another-secret-another-secret-another!!' })}` },
      { auth: `Bearer ${token({ expIn: -10 })}` },
      { auth: null, headers: { apikey: '' } },
    ]
    for (const opts of bad) {
      for (const path of ['/api/broadcast', '/api/broadcast/t/events/e']) {
        const res = await post(path, { body, ...opts })
        assert.equal(res.status, 401, `${path} ${JSON.stringify(opts)}`)
        assert.deepEqual(res.json, UNAUTHORIZED)
        assert.equal(res.headers.get('access-control-allow-origin'), '*')
      }
    }
    // Authorization wins over apikey, as in Supabase.
    const res = await post('/api/broadcast', { body, auth: 'Bearer junk', headers: { apikey: token() } })
    assert.equal(res.status, 401)
  }))

  test('415 for a content type other than JSON or octet-stream (single endpoint)', guard(async () => {
    const res = await post('/api/broadcast/t/events/e', { headers: { 'content-type': 'text/plain' }, body: 'hi' })
    assert.equal(res.status, 415)
    assert.equal(res.text, '{"error":"Unsupported Media Type. Use application/json or application/octet-stream"}')
    // With a charset it is JSON; without a content type too.
    assert.equal((await post('/api/broadcast/t/events/e', { headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{}' })).status, 202)
    // (fetch() gives a string body a text/plain type; bytes get none.)
    const topic = freshTopic('no-type')
    const [v2] = await rawSubscribers(topic, ['2.0.0'])
    try {
      assert.equal((await post(`/api/broadcast/${topic}/events/e`, { headers: { 'content-type': null }, body: Buffer.from('{"a":1}') })).status, 202)
      assert.deepEqual((await v2.c.next()).msg.payload, bcast('e', { a: 1 }))
    } finally { await v2.close() }
  }))

  test('422 for an oversized single payload, JSON or binary', guard(async () => {
    const limit = PAYLOAD_LIMIT_KB * 1000
    const json = await post('/api/broadcast/t/events/e', { body: JSON.stringify({ k: 'x'.repeat(limit) }) })
    assert.equal(json.status, 422)
    assert.equal(json.text, '{"errors":{"payload":["Payload size exceeds tenant limit"]}}')
    const binary = await post('/api/broadcast/t/events/e', { headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(limit + 1) })
    assert.equal(binary.status, 422)
    const fits = await post('/api/broadcast/t/events/e', { headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(limit) })
    assert.equal(fits.status, 202)
  }))

  test('413 for a body over --max-rest-body-bytes', guard(async () => {
    const res = await post('/api/broadcast', { body: JSON.stringify({ messages: [], pad: 'x'.repeat(REST_BODY_LIMIT) }) })
    assert.equal(res.status, 413)
    assert.deepEqual(res.json, { message: 'Request Entity Too Large' })
    // Other routes keep their 64 KiB.
    const other = await post('/healthcheck', { body: 'x'.repeat(70_000) })
    assert.equal(other.status, 413)
  }))

  test('405 for other methods on the routes', guard(async () => {
    for (const [method, path] of [['GET', '/api/broadcast'], ['PUT', '/realtime/v1/api/broadcast'], ['DELETE', '/api/broadcast/t/events/e']]) {
      const res = await post(path, { method })
      assert.equal(res.status, 405, `${method} ${path}`)
      assert.equal(res.headers.get('allow'), 'POST, OPTIONS')
      assert.deepEqual(res.json, { message: 'Method Not Allowed' })
    }
    assert.equal((await post('/api/broadcast/t', {})).status, 404)
  }))
})

describe('HTTP', () => {
  test('CORS preflight and headers are open', guard(async () => {
    const res = await fetch(`${server.httpUrl}/realtime/v1/api/broadcast/t/events/e`, {
      method: 'OPTIONS',
      headers: { origin: 'https://example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'apikey, content-type, x-custom' },
    })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('access-control-allow-origin'), '*')
    assert.match(res.headers.get('access-control-allow-methods'), /POST/)
    assert.equal(res.headers.get('access-control-allow-headers'), 'apikey, content-type, x-custom')
    const post202 = await post('/api/broadcast/t/events/e', { headers: { origin: 'https://example.com' }, body: '{}' })
    assert.equal(post202.status, 202)
    assert.equal(post202.headers.get('access-control-allow-origin'), '*')
    assert.equal(post202.headers.get('x-rate-limit'), '100000')
    assert.equal(post202.headers.get('x-rate-rolling'), '0')
    assert.equal(post202.headers.get('x-rate-limit-remaining'), '100000')
  }))

  test('REST answers keep the connection alive; other answers close it', guard(async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const once = (path, body = '{}') => new Promise((resolve, reject) => {
      const req = http.request(`${server.httpUrl}${path}`, {
        agent, method: 'POST', headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' },
      }, (res) => {
        res.resume()
        res.on('end', () => resolve({ status: res.statusCode, reused: req.reusedSocket, connection: res.headers.connection }))
      })
      req.on('error', reject)
      req.end(body)
    })
    try {
      const first = await once('/api/broadcast/t/events/e')
      const second = await once('/api/broadcast', batchBody([{ topic: 't', event: 'e', payload: {} }]))
      const third = await once('/api/broadcast/t/events/e', '{"x":')
      assert.deepEqual([first.status, second.status, third.status], [202, 202, 400])
      assert.equal(first.reused, false)
      assert.equal(second.reused, true, 'the second request reused the connection')
      assert.equal(third.reused, true)
      const health = await new Promise((resolve, reject) => {
        http.get(`${server.httpUrl}/healthcheck`, { agent }, (res) => { res.resume(); resolve(res.headers.connection) }).on('error', reject)
      })
      assert.equal(health, 'close')
    } finally { agent.destroy() }
  }))
})

describe('private and public topics are separate', () => {
  test('private messages never reach public subscribers (no database: dropped, or 422 for the single endpoint)', guard(async () => {
    const topic = freshTopic('scoped')
    const [v1, v2] = await rawSubscribers(topic)
    try {
      const batch = await post('/api/broadcast', { body: batchBody([{ topic, event: 'secret', payload: {}, private: true }, { topic, event: 'open', payload: {} }]) })
      assert.equal(batch.status, 202)
      const single = await post(`/api/broadcast/${topic}/events/secret?private=true`, { body: '{}' })
      assert.equal(single.status, 422)
      assert.deepEqual(single.json, { message: 'Tenant database unavailable' })
      for (const s of [v1, v2]) {
        assert.equal((await s.c.next()).msg.payload.event, 'open')
        await s.c.expectNoFrame(300)
      }
    } finally { await Promise.all([v1.close(), v2.close()]) }
  }))
})

describe('events per second', () => {
  let limited
  before(async () => { limited = await startServer({ args: ['--max-events-per-second', '2'] }) })
  after(async () => { await limited?.stop() })

  test('429 for a batch that would exceed the budget, then for any request once the rate is at the limit', guard(async () => {
    const msgs = (n) => batchBody(Array.from({ length: n }, (_, i) => ({ topic: 't', event: `e${i}`, payload: {} })))
    const big = await post('/api/broadcast', { target: limited, body: msgs(3) })
    assert.equal(big.status, 429)
    assert.deepEqual(big.json, { message: 'Too many messages to broadcast, please reduce the batch size' })
    assert.equal(big.headers.get('x-rate-limit'), '2')
    // Ten events in the first 5 s tick make the rolling rate 2 once it closes.
    for (let i = 0; i < 5; i++) {
      assert.equal((await post('/api/broadcast', { target: limited, body: msgs(2) })).status, 202)
    }
    const deadline = Date.now() + 12_000
    let res
    do {
      await new Promise((r) => setTimeout(r, 250))
      res = await post('/api/broadcast', { target: limited, auth: null, body: msgs(1) }) // counts nothing
    } while (res.status !== 429 && Date.now() < deadline)
    assert.equal(res.status, 429, 'the limiter answers before the token is checked')
    assert.deepEqual(res.json, { message: 'Too many requests' })
    assert.equal(res.headers.get('x-rate-limit'), '2')
    assert.equal(res.headers.get('x-rate-rolling'), '2')
    assert.equal(res.headers.get('x-rate-limit-remaining'), '0')
    const single = await post('/api/broadcast/t/events/e', { target: limited, body: '{}' })
    assert.equal(single.status, 429)
  }))
})
