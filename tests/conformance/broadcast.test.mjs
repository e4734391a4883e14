// Broadcast through the real clients: realtime-js (vsn 1.0.0 and 2.0.0, the
// latter sending binary kind-3 frames) and phoenix.js (text pushes), plus the
// exact wire shapes over raw frames.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, guard } from './support/server.mjs'
import { encodeKind3 } from './support/raw.mjs'
import { openSession, joinPayload, VSNS } from './support/session.mjs'
import {
  rtClient, subscribe, collectBroadcasts, disconnectAll, phxSocket, pushAsync, phxDisconnect, deferred, withTimeout,
} from './support/clients.mjs'

const PAYLOAD_LIMIT_KB = 64
let server
before(async () => {
  server = await startServer({ args: ['--max-joins-per-second', '100000', '--max-payload-size-kb', String(PAYLOAD_LIMIT_KB)] })
})
after(async () => { await server?.stop() })

let topicN = 0
const freshTopic = (name) => `${name}-${process.pid}-${++topicN}`
const bcast = (event, payload) => ({ type: 'broadcast', event, payload })

// Opens one realtime-js client per spec and subscribes it to `topic`.
async function subscribers(topic, specs) {
  const out = []
  try {
    for (const { vsn, config = {}, event = '*' } of specs) {
      const client = rtClient(server, { vsn })
      const channel = client.channel(topic, { config: { broadcast: { self: false, ack: false, ...config } } })
      const inbox = collectBroadcasts(channel, event)
      out.push({ vsn, client, channel, inbox })
    }
    await Promise.all(out.map((s) => subscribe(s.channel)))
  } catch (e) {
    await disconnectAll(out.map((s) => s.client))
    throw e
  }
  return out
}

describe('realtime-js V1 <-> V2 interop', () => {
  test('acceptance: a vsn 1.0.0 client and a vsn 2.0.0 client exchange broadcasts both ways', guard(async () => {
    const topic = freshTopic('interop')
    const [v1, v2] = await subscribers(topic, [{ vsn: '1.0.0' }, { vsn: '2.0.0' }])
    try {
      assert.equal(await v1.channel.send(bcast('chat', { from: 'v1', text: 'héllo ✓', n: 1 })), 'ok')
      assert.equal(await v2.channel.send(bcast('chat', { from: 'v2', text: 'wörld ✓', n: 2, nested: { a: [1, null, true] } })), 'ok')
      const [atV2] = await v2.inbox.until(1)
      const [atV1] = await v1.inbox.until(1)
      assert.deepEqual(atV2, bcast('chat', { from: 'v1', text: 'héllo ✓', n: 1 }))
      assert.deepEqual(atV1, bcast('chat', { from: 'v2', text: 'wörld ✓', n: 2, nested: { a: [1, null, true] } }))
      // self defaults to false: nobody got their own message back
      await v1.inbox.quiet(300)
      assert.equal(v1.inbox.got.length, 1)
      assert.equal(v2.inbox.got.length, 1)
    } finally { await disconnectAll(v1.client, v2.client) }
  }))

  for (const from of VSNS) {
    for (const to of VSNS) {
      test(`${from} sender -> ${to} receiver, sender excluded by default`, guard(async () => {
        const topic = freshTopic(`pair-${from}-${to}`)
        const [s, r] = await subscribers(topic, [{ vsn: from }, { vsn: to }])
        try {
          for (let n = 1; n <= 3; n++) await s.channel.send(bcast('tick', { n }))
          const got = await r.inbox.until(3)
          assert.deepEqual(got, [1, 2, 3].map((n) => bcast('tick', { n })))
          // a sentinel from the receiver proves the sender's inbox is live and empty of its own messages
          await r.channel.send(bcast('sentinel', {}))
          await s.inbox.until(1)
          assert.deepEqual(s.inbox.got, [bcast('sentinel', {})])
        } finally { await disconnectAll(s.client, r.client) }
      }))
    }
  }
})

describe('self and ack', () => {
  for (const vsn of VSNS) {
    test(`self=true delivers the sender's own broadcast (vsn ${vsn})`, guard(async () => {
      const topic = freshTopic('self')
      const [me] = await subscribers(topic, [{ vsn, config: { self: true } }])
      try {
        await me.channel.send(bcast('echo', { mine: true }))
        assert.deepEqual(await me.inbox.until(1), [bcast('echo', { mine: true })])
      } finally { await disconnectAll(me.client) }
    }))

    test(`ack=true resolves send() with the server's ok reply (vsn ${vsn})`, guard(async () => {
      const topic = freshTopic('ack')
      const [me, other] = await subscribers(topic, [{ vsn, config: { ack: true } }, { vsn: '2.0.0' }])
      try {
        assert.equal(await me.channel.send(bcast('acked', { k: 1 }), { timeout: 3000 }), 'ok')
        assert.deepEqual(await other.inbox.until(1), [bcast('acked', { k: 1 })])
      } finally { await disconnectAll(me.client, other.client) }
    }))

    test(`ack=true with an oversized payload resolves send() with error and delivers nothing (vsn ${vsn})`, guard(async () => {
      const topic = freshTopic('too-big')
      const [me, other] = await subscribers(topic, [{ vsn, config: { ack: true } }, { vsn: '1.0.0' }])
      try {
        const big = { blob: 'x'.repeat(PAYLOAD_LIMIT_KB * 1000 * 2) }
        assert.equal(await me.channel.send(bcast('big', big), { timeout: 3000 }), 'error')
        const small = { blob: 'y'.repeat(Math.floor(PAYLOAD_LIMIT_KB * 1000 / 2)) }
        assert.equal(await me.channel.send(bcast('small', small), { timeout: 3000 }), 'ok')
        const got = await other.inbox.until(1)
        assert.equal(got[0].event, 'small', 'the oversized broadcast was not delivered')
        assert.equal(got[0].payload.blob.length, small.blob.length)
      } finally { await disconnectAll(me.client, other.client) }
    }))
  }
})

describe('binary broadcasts', () => {
  test('an ArrayBuffer payload from a V2 client reaches V2 subscribers byte-identical and skips V1', guard(async () => {
    const topic = freshTopic('binary')
    const [sender, v2a, v2b, v1] = await subscribers(topic, [{ vsn: '2.0.0' }, { vsn: '2.0.0' }, { vsn: '2.0.0' }, { vsn: '1.0.0' }])
    try {
      const bytes = new Uint8Array(1024)
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) & 0xff
      bytes[0] = 0; bytes[1] = 0xff; bytes[2] = 0x7b // not JSON, includes '{'
      await sender.channel.send(bcast('bin', bytes.buffer.slice(0)))
      await sender.channel.send(bcast('after', { json: true })) // sentinel
      for (const r of [v2a, v2b]) {
        const got = await r.inbox.until(2)
        assert.equal(got[0].event, 'bin')
        assert.equal(got[0].type, 'broadcast')
        assert.ok(got[0].payload instanceof ArrayBuffer, `payload is ${Object.prototype.toString.call(got[0].payload)}`)
        assert.deepEqual(new Uint8Array(got[0].payload), bytes)
        assert.deepEqual(got[1], bcast('after', { json: true }))
      }
      const atV1 = await v1.inbox.until(1)
      assert.deepEqual(atV1, [bcast('after', { json: true })], 'the binary broadcast is not delivered to V1')
    } finally { await disconnectAll(sender.client, v2a.client, v2b.client, v1.client) }
  }))

  test('an empty ArrayBuffer payload is delivered as an empty ArrayBuffer', guard(async () => {
    const topic = freshTopic('binary-empty')
    const [sender, r] = await subscribers(topic, [{ vsn: '2.0.0' }, { vsn: '2.0.0' }])
    try {
      await sender.channel.send(bcast('empty', new ArrayBuffer(0)))
      const [got] = await r.inbox.until(1)
      assert.ok(got.payload instanceof ArrayBuffer)
      assert.equal(got.payload.byteLength, 0)
    } finally { await disconnectAll(sender.client, r.client) }
  }))
})

describe('phoenix.js interop', () => {
  for (const vsn of VSNS) {
    test(`phoenix.js (vsn ${vsn}) channel.push('broadcast') reaches realtime-js receivers of both vsn`, guard(async () => {
      const topic = freshTopic(`phx-${vsn}`)
      const [r1, r2] = await subscribers(topic, [{ vsn: '1.0.0' }, { vsn: '2.0.0' }])
      const socket = await phxSocket(server, { vsn })
      try {
        const ch = socket.channel(`realtime:${topic}`, joinPayload({ ack: true }))
        assert.equal((await pushAsync(ch.join())).status, 'ok')
        const msg = bcast('from-phx', { hello: 'world', list: [1, 2, 3] })
        assert.deepEqual(await pushAsync(ch.push('broadcast', msg)), { status: 'ok', response: {} })
        assert.deepEqual(await r1.inbox.until(1), [msg])
        assert.deepEqual(await r2.inbox.until(1), [msg])
      } finally {
        await phxDisconnect(socket)
        await disconnectAll(r1.client, r2.client)
      }
    }))
  }

  test('realtime-js V1 broadcasts reach a phoenix.js V2 subscriber as a text broadcast', guard(async () => {
    const topic = freshTopic('to-phx')
    const [sender] = await subscribers(topic, [{ vsn: '1.0.0' }])
    const socket = await phxSocket(server, { vsn: '2.0.0' })
    try {
      const ch = socket.channel(`realtime:${topic}`, joinPayload())
      const got = deferred()
      ch.on('broadcast', (payload) => got.resolve(payload))
      assert.equal((await pushAsync(ch.join())).status, 'ok')
      await sender.channel.send(bcast('to-phx', { ok: 1 }))
      assert.deepEqual(await withTimeout(got.promise, 3000, 'phoenix.js broadcast'), bcast('to-phx', { ok: 1 }))
    } finally {
      await phxDisconnect(socket)
      await disconnectAll(sender.client)
    }
  }))

  test('a phoenix.js binary push on broadcast reaches phoenix.js V2 subscribers as a binary broadcast', guard(async () => {
    const topic = `realtime:${freshTopic('phx-bin')}`
    const sender = await phxSocket(server, { vsn: '2.0.0' })
    const receiver = await phxSocket(server, { vsn: '2.0.0' })
    try {
      const out = sender.channel(topic, joinPayload({ ack: true }))
      const inn = receiver.channel(topic, joinPayload())
      const got = deferred()
      inn.on('broadcast', (payload) => got.resolve(payload))
      assert.equal((await pushAsync(out.join())).status, 'ok')
      assert.equal((await pushAsync(inn.join())).status, 'ok')
      const bytes = new Uint8Array([0, 1, 2, 253, 254, 255])
      assert.equal((await pushAsync(out.push('broadcast', bytes.buffer))).status, 'ok')
      const payload = await withTimeout(got.promise, 3000, 'binary broadcast')
      assert.ok(payload instanceof ArrayBuffer, 'payload arrives as an ArrayBuffer')
      assert.deepEqual([...new Uint8Array(payload)], [...bytes])
    } finally {
      await phxDisconnect(sender)
      await phxDisconnect(receiver)
    }
  }))
})

describe('wire shapes (raw frames)', () => {
  test('text broadcasts are re-emitted exactly as sent, V1 and V2', guard(async () => {
    const topic = `realtime:${freshTopic('raw-text')}`
    const [pub, subV1, subV2] = await Promise.all([
      openSession(server, { vsn: '2.0.0' }), openSession(server, { vsn: '1.0.0' }), openSession(server, { vsn: '2.0.0' }),
    ])
    try {
      const jr = await pub.join(topic)
      await subV1.join(topic)
      await subV2.join(topic)
      // extra keys are kept and nothing is normalised (key order is not significant)
      const payload = { payload: { z: 1, a: [true, null, 1.5] }, event: 'shape', type: 'broadcast', extra: 'kept' }
      pub.send([jr, '10', topic, 'broadcast', payload])
      await subV2.expectNext([null, null, topic, 'broadcast', payload])
      await subV1.expectNext([null, null, topic, 'broadcast', payload])
      await pub.c.expectNoFrame(200) // self=false, ack=false: nothing back
    } finally { await Promise.all([pub.close(), subV1.close(), subV2.close()]) }
  }))

  test('kind-3 binary broadcasts become kind 4 for V2 and JSON text for V1', guard(async () => {
    const topic = `realtime:${freshTopic('raw-kind3')}`
    const [pub, subV1, subV2] = await Promise.all([
      openSession(server, { vsn: '2.0.0' }), openSession(server, { vsn: '1.0.0' }), openSession(server, { vsn: '2.0.0' }),
    ])
    try {
      const jr = await pub.join(topic)
      await subV1.join(topic)
      await subV2.join(topic)
      const json = { x: 1, s: 'ü' }
      pub.c.sendBinary(encodeKind3({ joinRef: jr, ref: '5', topic, event: 'ev', payload: json }))
      const body = Buffer.from(JSON.stringify(json))
      const t = Buffer.from(topic)
      const expected = Buffer.concat([Buffer.from([4, t.length, 2, 0, 1]), t, Buffer.from('ev'), body])
      const f2 = await subV2.c.next()
      assert.equal(f2.opcode, 'binary')
      assert.equal(f2.data.toString('hex'), expected.toString('hex'))
      const f1 = await subV1.c.next()
      assert.equal(f1.opcode, 'text')
      assert.deepEqual(f1.json, { topic, event: 'broadcast', payload: { event: 'ev', payload: json, type: 'broadcast' }, ref: null })

      // encoding 0 (opaque bytes): V2 gets kind 4 with encoding 0, V1 gets nothing
      const bin = Buffer.from([0, 1, 2, 250, 251, 0x7b])
      pub.c.sendBinary(encodeKind3({ joinRef: jr, ref: '6', topic, event: 'raw', payload: bin }))
      pub.c.sendBinary(encodeKind3({ joinRef: jr, ref: '7', topic, event: 'sentinel', payload: {} }))
      const g2 = await subV2.c.next()
      assert.equal(g2.data.toString('hex'), Buffer.concat([Buffer.from([4, t.length, 3, 0, 0]), t, Buffer.from('raw'), bin]).toString('hex'))
      const g1 = await subV1.c.next()
      assert.equal(g1.msg.payload.event, 'sentinel', 'V1 skipped the opaque binary broadcast')
      await subV2.c.next((f) => f.msg?.payload?.event === 'sentinel')
    } finally { await Promise.all([pub.close(), subV1.close(), subV2.close()]) }
  }))

  test('broadcasts do not leak across topics', guard(async () => {
    const a = `realtime:${freshTopic('iso-a')}`
    const b = `realtime:${freshTopic('iso-b')}`
    const [pub, sub] = await Promise.all([openSession(server, { vsn: '2.0.0' }), openSession(server, { vsn: '2.0.0' })])
    try {
      const ja = await pub.join(a)
      const jb = await pub.join(b)
      await sub.join(b)
      pub.send([ja, '20', a, 'broadcast', bcast('on-a', {})])
      pub.send([jb, '21', b, 'broadcast', bcast('on-b', {})])
      await sub.expectNext([null, null, b, 'broadcast', bcast('on-b', {})])
      await sub.c.expectNoFrame(200)
    } finally { await Promise.all([pub.close(), sub.close()]) }
  }))
})

describe('fan-out', () => {
  test('50 subscribers each receive every one of 20 broadcasts exactly once, in per-publisher order', guard(async () => {
    const topic = freshTopic('fanout')
    const receivers = await subscribers(topic, Array.from({ length: 50 }, (_, i) => ({ vsn: VSNS[i % 2] })))
    const publishers = await subscribers(topic, [{ vsn: '1.0.0' }, { vsn: '2.0.0' }])
    try {
      // interleave the two publishers: 10 messages each
      const sends = []
      for (let n = 0; n < 10; n++) {
        for (const [p, pub] of publishers.entries()) sends.push(pub.channel.send(bcast('seq', { p, n })))
      }
      await Promise.all(sends)
      await Promise.all(receivers.map((r) => r.inbox.until(20, 8000)))
      await receivers[0].inbox.quiet(300) // any duplicate would arrive now
      for (const [i, r] of receivers.entries()) {
        assert.equal(r.inbox.got.length, 20, `receiver ${i} (${r.vsn}) got ${r.inbox.got.length}`)
        for (const p of [0, 1]) {
          const seq = r.inbox.got.filter((m) => m.payload.p === p).map((m) => m.payload.n)
          assert.deepEqual(seq, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], `receiver ${i} (${r.vsn}) publisher ${p} order`)
        }
      }
      // the publishers received each other's 10 messages, not their own
      for (const [p, pub] of publishers.entries()) {
        await pub.inbox.until(10)
        assert.ok(pub.inbox.got.every((m) => m.payload.p !== p))
      }
    } finally { await disconnectAll([...receivers, ...publishers].map((s) => s.client)) }
  }))
})
