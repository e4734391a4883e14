// Hostile and malformed input over raw frames: the server must answer with the
// documented error reply or close code, and keep every other client working.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { startServer, guard } from './support/server.mjs'
import { connect, wsUrl, encodeKind3, encodeKind0 } from './support/raw.mjs'
import { rawUpgrade, wsFrame } from './support/tcp.mjs'
import { openSession, joinPayload, VSNS } from './support/session.mjs'
import { token } from './support/jwt.mjs'

const MALFORMED = { status: 'error', response: { reason: 'malformed message' } }
let server
before(async () => {
  server = await startServer({ args: ['--max-joins-per-second', '100000'] })
})
after(async () => { await server?.stop() })

let topicN = 0
const freshTopic = (name) => `realtime:${name}-${process.pid}-${++topicN}`

// The next frame must be the malformed-message error reply. `ref` must match
// exactly (null when not echoed); `topic` is checked only when given.
async function expectMalformed(s, { ref = null, topic } = {}) {
  const f = await s.c.next(() => true, 3000, 'malformed message reply')
  assert.equal(f.opcode, 'text')
  assert.ok(f.msg, `unparseable reply ${f.data}`)
  assert.equal(f.msg.event, 'phx_reply', f.data)
  assert.deepEqual(f.msg.payload, MALFORMED, f.data)
  assert.deepEqual(f.msg.ref, ref, `ref in ${f.data}`)
  if (topic !== undefined) assert.equal(f.msg.topic, topic, `topic in ${f.data}`)
  // join_ref is not asserted: the spec only fixes ref and topic for these replies
  if (s.vsn === '1.0.0') {
    assert.ok(!Array.isArray(f.json) && !('join_ref' in f.json), `V1 shape: ${f.data}`)
  } else {
    assert.ok(Array.isArray(f.json) && f.json.length === 5, `V2 shape: ${f.data}`)
  }
  return f
}

for (const vsn of VSNS) {
  describe(`malformed text frames (vsn ${vsn})`, () => {
    test('row 1: non-JSON text gets a malformed-message reply on topic phoenix; the socket keeps working', guard(async () => {
      const s = await openSession(server, { vsn })
      try {
        for (const junk of ['hello', '{', '[null,"1","phoenix","heartbeat",{}', '', '\u00e9\u00e9']) {
          s.c.sendText(junk)
          await s.expectNext([null, null, 'phoenix', 'phx_reply', MALFORMED])
        }
        await s.heartbeat()
        await s.join(freshTopic('after-junk'))
      } finally { await s.close() }
    }))

    if (vsn === '2.0.0') {
      test('row 2: V2 JSON that is not an array is malformed', guard(async () => {
        const s = await openSession(server, { vsn })
        try {
          for (const v of ['{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"1"}', '42', '"str"', 'null', 'true']) {
            s.c.sendText(v)
            await expectMalformed(s, { ref: null, topic: 'phoenix' })
          }
          await s.heartbeat()
        } finally { await s.close() }
      }))

      test('row 2: V2 arrays shorter than 5 echo ref and topic when present', guard(async () => {
        const s = await openSession(server, { vsn })
        try {
          s.c.sendText('[null,"3","realtime:short","heartbeat"]')
          await s.expectNext([null, '3', 'realtime:short', 'phx_reply', MALFORMED])
          s.c.sendText('[null,"4"]')
          await s.expectNext([null, '4', 'phoenix', 'phx_reply', MALFORMED])
          s.c.sendText('[]')
          await s.expectNext([null, null, 'phoenix', 'phx_reply', MALFORMED])
          s.c.sendText('[null,8,"realtime:short"]')
          await s.expectNext([null, 8, 'realtime:short', 'phx_reply', MALFORMED])
          await s.heartbeat()
        } finally { await s.close() }
      }))

      test('row 2: extra trailing elements are ignored (a 6-element heartbeat is valid)', guard(async () => {
        const s = await openSession(server, { vsn })
        try {
          s.c.sendText('[null,"5","phoenix","heartbeat",{},"extra"]')
          await s.expectNext([null, '5', 'phoenix', 'phx_reply', { status: 'ok', response: {} }])
        } finally { await s.close() }
      }))
    } else {
      test('row 2: V1 objects missing topic/event/payload/ref are malformed, ref echoed when present', guard(async () => {
        const s = await openSession(server, { vsn })
        try {
          s.c.sendText({ topic: 'phoenix', event: 'heartbeat', ref: '4' }) // no payload
          await expectMalformed(s, { ref: '4' })
          s.c.sendText({ topic: 'phoenix', payload: {}, ref: '5' }) // no event
          await expectMalformed(s, { ref: '5' })
          s.c.sendText({ event: 'heartbeat', payload: {}, ref: '6' }) // no topic
          await expectMalformed(s, { ref: '6', topic: 'phoenix' })
          s.c.sendText({ topic: 'phoenix', event: 'heartbeat', payload: {} }) // no ref key
          await expectMalformed(s, { ref: null })
          s.c.sendText([null, '7', 'phoenix', 'heartbeat', {}]) // a V2 array on a V1 socket
          await expectMalformed(s, { ref: null, topic: 'phoenix' })
          // ref: null is allowed in V1
          s.c.sendText({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: null })
          await s.expectNext([null, null, 'phoenix', 'phx_reply', { status: 'ok', response: {} }])
          await s.heartbeat()
        } finally { await s.close() }
      }))
    }

    test('row 3: topic or event that is not a string is malformed, ref echoed', guard(async () => {
      const s = await openSession(server, { vsn })
      try {
        s.send([null, '5', 42, 'heartbeat', {}])
        await expectMalformed(s, { ref: '5' })
        s.send([null, '6', null, 'heartbeat', {}])
        await expectMalformed(s, { ref: '6' })
        s.send([null, '7', 'phoenix', 7, {}])
        await expectMalformed(s, { ref: '7' })
        s.send([null, '8', 'realtime:x', { e: 1 }, {}])
        await expectMalformed(s, { ref: '8' })
        await s.heartbeat()
      } finally { await s.close() }
    }))

    test('row 4: topic/event/join_ref/ref longer than 255 bytes are malformed', guard(async () => {
      const s = await openSession(server, { vsn })
      try {
        const long = 'realtime:' + 'a'.repeat(247) // 256 bytes
        s.send(['1', '10', long, 'phx_join', joinPayload()])
        await expectMalformed(s, { ref: '10' })
        const multibyte = 'realtime:' + '\u00e9'.repeat(124) // 257 bytes, 133 chars
        s.send(['1', '11', multibyte, 'phx_join', joinPayload()])
        await expectMalformed(s, { ref: '11' })
        s.send([null, '12', 'phoenix', 'e'.repeat(256), {}])
        await expectMalformed(s, { ref: '12' })
        s.send(['j'.repeat(256), '13', 'realtime:ok-topic', 'phx_join', joinPayload()])
        await expectMalformed(s, { ref: '13' })
        s.send([null, 'r'.repeat(256), 'phoenix', 'heartbeat', {}])
        await expectMalformed(s, { ref: null })
        // exactly 255 bytes is fine
        const max = 'realtime:' + 'b'.repeat(246)
        assert.equal(Buffer.byteLength(max), 255)
        await s.join(max)
        await s.heartbeat('x'.repeat(255))
      } finally { await s.close() }
    }))
  })
}

describe('binary frames', () => {
  test('row 5: a binary frame on a V1 socket closes it with 1003', guard(async () => {
    const s = await openSession(server, { vsn: '1.0.0' })
    s.c.sendBinary(encodeKind3({ joinRef: '1', ref: '1', topic: 'realtime:x', event: 'e', payload: {} }))
    assert.equal((await s.c.closed(3000)).code, 1003)
  }))

  for (const [name, bytes] of [
    ['kind 1', Buffer.from([1, 0, 1, 7, 2, 0x31, 0x70, 0x68, 0x6f, 0x65, 0x6e, 0x69, 0x78, 0x6f, 0x6b])],
    ['kind 2', Buffer.from([2, 7, 1, 0x70, 0x68, 0x6f, 0x65, 0x6e, 0x69, 0x78, 0x65])],
    ['kind 4', Buffer.from([4, 1, 1, 0, 1, 0x74, 0x65, 0x7b, 0x7d])],
    ['kind 9', Buffer.from([9, 0, 0, 0])],
    ['empty', Buffer.alloc(0)],
  ]) {
    test(`row 6: V2 binary ${name} closes the socket with 1003`, guard(async () => {
      const s = await openSession(server, { vsn: '2.0.0' })
      s.c.sendBinary(bytes)
      assert.equal((await s.c.closed(3000)).code, 1003)
    }))
  }

  test('row 7: kind 0/3 with lengths beyond the frame get a malformed reply; the socket stays open', guard(async () => {
    const s = await openSession(server, { vsn: '2.0.0' })
    try {
      const topic = freshTopic('short-binary')
      await s.join(topic)
      const k0 = encodeKind0({ joinRef: '1', ref: '2', topic, event: 'x' })
      k0[3] = 200 // topic length points past the end
      s.c.sendBinary(k0)
      const e = await s.c.next(() => true, 3000, 'malformed reply')
      assert.equal(e.msg?.event, 'phx_reply', e.data)
      assert.deepEqual(e.msg.payload, MALFORMED)
      const k3 = encodeKind3({ joinRef: '1', ref: '3', topic, event: 'x', payload: {} })
      k3[4] = 250 // user event length past the end
      s.c.sendBinary(k3)
      const f = await s.c.next(() => true, 3000, 'malformed reply')
      assert.equal(f.msg?.event, 'phx_reply', f.data)
      assert.deepEqual(f.msg.payload, MALFORMED)
      s.c.sendBinary(Buffer.from([3, 5])) // header cut short
      const g = await s.c.next(() => true, 3000, 'malformed reply')
      assert.deepEqual(g.msg?.payload, MALFORMED, g.data)
      await s.heartbeat()
    } finally { await s.close() }
  }))

  test('row 7: kind 3 with an unknown payload encoding or invalid JSON replies an error echoing the ref', guard(async () => {
    const s = await openSession(server, { vsn: '2.0.0' })
    try {
      const topic = freshTopic('bad-kind3')
      const jr = await s.join(topic)
      s.c.sendBinary(encodeKind3({ joinRef: jr, ref: '31', topic, event: 'x', payload: Buffer.from('{}'), encoding: 2 }))
      const a = await s.c.next(() => true, 3000, 'error reply for encoding 2')
      assert.equal(a.msg?.event, 'phx_reply', a.data)
      assert.equal(a.msg.ref, '31')
      assert.deepEqual(a.msg.payload, MALFORMED)
      s.c.sendBinary(encodeKind3({ joinRef: jr, ref: '32', topic, event: 'x', payload: Buffer.from('{not json'), encoding: 1 }))
      const b = await s.c.next(() => true, 3000, 'error reply for invalid JSON')
      assert.equal(b.msg?.event, 'phx_reply', b.data)
      assert.equal(b.msg.ref, '32')
      assert.deepEqual(b.msg.payload, MALFORMED)
      await s.heartbeat()
    } finally { await s.close() }
  }))
})

describe('WebSocket-level violations (hand-made frames)', () => {
  const path = () => `/socket/websocket?apikey=${token()}&vsn=2.0.0`

  test('row 8: a text frame with invalid UTF-8 closes with 1007', guard(async () => {
    const t = await rawUpgrade(server.port, path())
    try {
      t.write(wsFrame({ opcode: 1, payload: Buffer.from([0x5b, 0x6e, 0xff, 0xfe, 0x5d]) }))
      assert.equal((await t.closeFrame(3000)).code, 1007)
    } finally { t.destroy() }
  }))

  test('row 8: invalid UTF-8 split across continuation frames closes with 1007', guard(async () => {
    const t = await rawUpgrade(server.port, path())
    try {
      t.write(wsFrame({ opcode: 1, fin: false, payload: Buffer.from('["', 'utf8') }))
      t.write(wsFrame({ opcode: 0, fin: true, payload: Buffer.from([0xc3, 0x28, 0x22, 0x5d]) }))
      assert.equal((await t.closeFrame(3000)).code, 1007)
    } finally { t.destroy() }
  }))

  test('row 10: RSV1 set without an extension closes with 1002', guard(async () => {
    const t = await rawUpgrade(server.port, path())
    try {
      t.write(wsFrame({ opcode: 1, rsv1: true, payload: '[null,"1","phoenix","heartbeat",{}]' }))
      assert.equal((await t.closeFrame(3000)).code, 1002)
    } finally { t.destroy() }
  }))

  for (const opcode of [3, 7, 0xb, 0xf]) {
    test(`row 10: reserved opcode 0x${opcode.toString(16)} closes with 1002`, guard(async () => {
      const t = await rawUpgrade(server.port, path())
      try {
        t.write(wsFrame({ opcode, payload: 'x' }))
        assert.equal((await t.closeFrame(3000)).code, 1002)
      } finally { t.destroy() }
    }))
  }

  test('row 10: a fragmented control frame closes with 1002', guard(async () => {
    const t = await rawUpgrade(server.port, path())
    try {
      t.write(wsFrame({ opcode: 9, fin: false, payload: 'p' }))
      assert.equal((await t.closeFrame(3000)).code, 1002)
    } finally { t.destroy() }
  }))

  test('row 10: a continuation frame with nothing to continue closes with 1002', guard(async () => {
    const t = await rawUpgrade(server.port, path())
    try {
      t.write(wsFrame({ opcode: 0, payload: 'x' }))
      assert.equal((await t.closeFrame(3000)).code, 1002)
    } finally { t.destroy() }
  }))

  test('hand-made valid frames work: fragmented heartbeat and ping/pong', guard(async () => {
    const t = await rawUpgrade(server.port, path())
    try {
      t.write(wsFrame({ opcode: 1, fin: false, payload: '[null,"1","pho' }))
      t.write(wsFrame({ opcode: 9, payload: 'ping!' })) // control frames may interleave
      t.write(wsFrame({ opcode: 0, fin: true, payload: 'enix","heartbeat",{}]' }))
      const deadline = Date.now() + 3000
      while (Date.now() < deadline && !(t.frames.some((f) => f.opcode === 10) && t.frames.some((f) => f.opcode === 1))) {
        await new Promise((r) => setTimeout(r, 20))
      }
      const pong = t.frames.find((f) => f.opcode === 10)
      const text = t.frames.find((f) => f.opcode === 1)
      assert.ok(pong, 'pong received')
      assert.equal(pong.payload.toString(), 'ping!')
      assert.ok(text, 'heartbeat reply received')
      assert.deepEqual(JSON.parse(text.payload.toString()), [null, '1', 'phoenix', 'phx_reply', { status: 'ok', response: {} }])
      t.write(wsFrame({ opcode: 8, payload: Buffer.from([0x03, 0xe8]) }))
      assert.equal((await t.closeFrame(3000)).code, 1000)
    } finally { t.destroy() }
  }))
})

describe('row 9: --max-frame-size', () => {
  let small
  before(async () => { small = await startServer({ args: ['--max-frame-size', '65536'] }) })
  after(async () => { await small?.stop() })

  test('a message just under the limit is processed', guard(async () => {
    const s = await openSession(small, { vsn: '2.0.0' })
    try {
      const pad = 'p'.repeat(60_000)
      s.send([null, '1', 'phoenix', 'heartbeat', { pad }])
      await s.expectNext([null, '1', 'phoenix', 'phx_reply', { status: 'ok', response: {} }])
    } finally { await s.close() }
  }))

  for (const vsn of VSNS) {
    test(`a message over the limit closes with 1009 (vsn ${vsn})`, guard(async () => {
      const s = await openSession(small, { vsn })
      s.send([null, '1', 'phoenix', 'heartbeat', { pad: 'p'.repeat(70_000) }])
      assert.equal((await s.c.closed(3000)).code, 1009)
    }))
  }

  test('a fragmented message whose total exceeds the limit closes with 1009', guard(async () => {
    const t = await rawUpgrade(small.port, `/socket/websocket?apikey=${token()}&vsn=2.0.0`)
    try {
      t.write(wsFrame({ opcode: 1, fin: false, payload: '[null,"1","phoenix","heartbeat",{"pad":"' + 'p'.repeat(40_000) }))
      t.write(wsFrame({ opcode: 0, fin: true, payload: 'p'.repeat(40_000) + '"}]' }))
      const r = await t.closeFrame(3000)
      assert.equal(r.code, 1009)
    } finally { t.destroy() }
  }))
})

describe('row 11: idle timeout', () => {
  let idle
  before(async () => { idle = await startServer({ args: ['--idle-timeout-ms', '1500'] }) })
  after(async () => { await idle?.stop() })

  test('a silent socket is closed with 1000 after --idle-timeout-ms', guard(async () => {
    const started = Date.now()
    const s = await openSession(idle, { vsn: '2.0.0' })
    const { code } = await s.c.closed(5000)
    const elapsed = Date.now() - started
    assert.equal(code, 1000)
    assert.ok(elapsed >= 1200, `closed after only ${elapsed} ms`)
  }))

  test('heartbeats keep a socket alive past the timeout', guard(async () => {
    const s = await openSession(idle, { vsn: '1.0.0' })
    try {
      const until = Date.now() + 3000
      while (Date.now() < until) {
        await s.heartbeat()
        await new Promise((r) => setTimeout(r, 400))
      }
      assert.ok(s.c.isOpen, 'still open after 3 s of heartbeats')
      // and once it goes quiet it is closed
      assert.equal((await s.c.closed(5000)).code, 1000)
    } finally { await s.close() }
  }))
})

describe('row 12: join flood on one socket', () => {
  for (const vsn of VSNS) {
    test(`150 joins: the first 100 succeed, the rest get ChannelRateLimitReached (vsn ${vsn})`, guard(async () => {
      const s = await openSession(server, { vsn })
      try {
        const base = freshTopic('flood')
        for (let i = 1; i <= 150; i++) s.send([String(i), String(i), `${base}-${i}`, 'phx_join', joinPayload()])
        const replies = new Map()
        for (let i = 1; i <= 150; i++) {
          const f = await s.c.next((fr) => fr.msg?.event === 'phx_reply', 5000, `join reply ${i}`)
          replies.set(f.msg.ref, f.msg.payload)
        }
        for (let i = 1; i <= 150; i++) {
          const expected = i <= 100
            ? { status: 'ok', response: { postgres_changes: [] } }
            : { status: 'error', response: { reason: 'ChannelRateLimitReached: Too many channels' } }
          assert.deepEqual(replies.get(String(i)), expected, `join ${i}`)
        }
        await s.heartbeat('hb-after-flood')
        // leaving one channel frees a slot
        s.send(['1', 'leave-1', `${base}-1`, 'phx_leave', {}])
        await s.c.nextMsg({ event: 'phx_reply', ref: 'leave-1' })
        await s.c.nextMsg({ event: 'phx_close', topic: `${base}-1` })
        await s.join(`${base}-again`)
      } finally { await s.close() }
    }))
  }
})

describe('row 13: slow consumer', () => {
  // The queue budget must exceed what a healthy reader can have in flight: the
  // publisher below never runs more than one batch (~400 KB) ahead of it.
  const QUEUE_BYTES = 1024 * 1024
  let slowSrv
  before(async () => { slowSrv = await startServer({ args: ['--outbound-queue-bytes', String(QUEUE_BYTES), '--max-joins-per-second', '100000'] }) })
  after(async () => { await slowSrv?.stop() })

  test('a subscriber that stops reading is disconnected; publisher and other subscribers are unaffected', guard(async () => {
    const topic = freshTopic('slow')
    const [pub, healthy, slow] = await Promise.all([
      openSession(slowSrv, { vsn: '2.0.0' }), openSession(slowSrv, { vsn: '2.0.0' }), openSession(slowSrv, { vsn: '2.0.0' }),
    ])
    try {
      const jr = await pub.join(topic)
      await healthy.join(topic)
      await slow.join(topic)
      slow.c.pause()

      const COUNT = 1500 // x 16 KB = 24 MB, far beyond socket buffers plus the queue budget
      const BATCH = 25
      const blob = 'z'.repeat(16 * 1024)
      let lastN = -1
      for (let n = 0; n < COUNT; n++) {
        pub.send([jr, null, topic, 'broadcast', { type: 'broadcast', event: 'bulk', payload: { n, blob } }])
        if (n % BATCH === BATCH - 1 || n === COUNT - 1) {
          // pace on the healthy subscriber: it must get every broadcast, in order
          while (lastN < n) {
            const f = await healthy.c.next((fr) => fr.msg?.event === 'broadcast', 5000, `broadcast #${lastN + 1}`)
            assert.equal(f.msg.payload.payload.n, lastN + 1, 'healthy subscriber receives every broadcast in order')
            lastN++
          }
          healthy.c.queue.length = 0
          healthy.c.history.length = 0
        }
      }
      await pub.heartbeat() // the publisher is still served

      // let the slow client read whatever reached it: it must find the connection closed
      slow.c.resume()
      const { code } = await slow.c.closed(5000)
      assert.ok(code === 1008 || code === 1006, `slow consumer closed with ${code}`)
      const got = slow.c.history.filter((f) => f.msg?.event === 'broadcast').length
      assert.ok(got < COUNT, `slow consumer was cut off (got ${got} of ${COUNT})`)

      await pub.heartbeat()
      await healthy.heartbeat()
    } finally {
      await Promise.all([pub.close(), healthy.close(), slow.close()])
    }
  }))
})

describe('row 13: a slow consumer that never reads is dropped', () => {
  // Two connections at most: the third can only get in once the server has
  // let go of the stalled one.
  let srv
  before(async () => {
    srv = await startServer({ args: ['--outbound-queue-bytes', String(1024 * 1024), '--max-connections', '2', '--max-joins-per-second', '100000'] })
  })
  after(async () => { await srv?.stop() })

  test('its close frame stuck behind unread data, the socket is released within 5 s', guard(async () => {
    const topic = freshTopic('stalled')
    const pub = await openSession(srv, { vsn: '2.0.0' })
    const slow = await openSession(srv, { vsn: '2.0.0' })
    let third
    try {
      const jr = await pub.join(topic)
      await slow.join(topic)
      slow.c.pause()
      const blob = 'z'.repeat(16 * 1024)
      for (let n = 0; n < 1500; n++) { // 24 MB: beyond socket buffers plus the queue budget
        pub.send([jr, null, topic, 'broadcast', { type: 'broadcast', event: 'bulk', payload: { n, blob } }])
      }
      await pub.heartbeat() // every broadcast above has been fanned out
      await sleep(7000)
      try {
        third = await openSession(srv, { vsn: '2.0.0' })
      } catch (e) {
        assert.fail(`the stalled connection still holds its slot: ${e.message}`)
      }
      await third.join(freshTopic('after'))
    } finally {
      await Promise.all([pub.close(), slow.close(), third?.close()])
    }
  }))
})

describe('row 14: oversized and non-object broadcast payloads', () => {
  let limited
  before(async () => { limited = await startServer({ args: ['--max-payload-size-kb', '1', '--max-joins-per-second', '100000'] }) })
  after(async () => { await limited?.stop() })

  for (const vsn of VSNS) {
    test(`oversized payload: ack -> payload_size_exceeded, no ack -> silent drop, nothing delivered (vsn ${vsn})`, guard(async () => {
      const topic = freshTopic('oversize')
      const [ackPub, plainPub, sub] = await Promise.all([
        openSession(limited, { vsn }), openSession(limited, { vsn }), openSession(limited, { vsn }),
      ])
      try {
        const ja = await ackPub.join(topic, joinPayload({ ack: true }))
        const jp = await plainPub.join(topic, joinPayload({ ack: false }))
        await sub.join(topic)
        const big = { type: 'broadcast', event: 'big', payload: { blob: 'x'.repeat(2000) } }
        ackPub.send([ja, '50', topic, 'broadcast', big])
        await ackPub.expectNext([ja, '50', topic, 'phx_reply', { status: 'error', response: 'payload_size_exceeded' }])
        plainPub.send([jp, '51', topic, 'broadcast', big])
        await plainPub.c.expectNoFrame(300)
        if (vsn === '2.0.0') {
          ackPub.c.sendBinary(encodeKind3({ joinRef: ja, ref: '52', topic, event: 'big', payload: { blob: 'y'.repeat(2000) } }))
          await ackPub.expectNext([ja, '52', topic, 'phx_reply', { status: 'error', response: 'payload_size_exceeded' }])
        }
        const small = { type: 'broadcast', event: 'small', payload: { blob: 'x'.repeat(300) } }
        ackPub.send([ja, '53', topic, 'broadcast', small])
        await ackPub.expectNext([ja, '53', topic, 'phx_reply', { status: 'ok', response: {} }])
        await sub.expectNext([null, null, topic, 'broadcast', small])
        await sub.c.expectNoFrame(200)
      } finally { await Promise.all([ackPub.close(), plainPub.close(), sub.close()]) }
    }))

    test(`a broadcast payload that is not a JSON object is malformed (vsn ${vsn})`, guard(async () => {
      const topic = freshTopic('non-object')
      const [pub, sub] = await Promise.all([openSession(limited, { vsn }), openSession(limited, { vsn })])
      try {
        const jr = await pub.join(topic)
        await sub.join(topic)
        let ref = 60
        for (const bad of ['a string', 42, [1, 2], null, true]) {
          pub.send([jr, String(++ref), topic, 'broadcast', bad])
          const f = await pub.c.next(() => true, 3000, `reply for ${JSON.stringify(bad)}`)
          assert.equal(f.msg?.event, 'phx_reply', f.data)
          assert.equal(f.msg.ref, String(ref))
          assert.equal(f.msg.topic, topic)
          assert.deepEqual(f.msg.payload, MALFORMED)
        }
        await sub.c.expectNoFrame(200)
        await pub.heartbeat()
      } finally { await Promise.all([pub.close(), sub.close()]) }
    }))
  }
})
