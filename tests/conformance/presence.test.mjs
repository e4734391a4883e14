// Presence through the real clients: realtime-js (vsn 1.0.0 and 2.0.0:
// track/untrack/presenceState and the sync/join/leave events), phoenix.js
// (its Presence class over raw `presence` pushes), 50 mixed clients
// converging on the truth, the exact wire shapes over raw frames, the
// per-channel and per-node limits, and leaves on phx_leave and socket close.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Presence } from 'phoenix'
import { startServer, guard } from './support/server.mjs'
import { wire } from './support/raw.mjs'
import { openSession, joinPayload, VSNS } from './support/session.mjs'
import {
  rtClient, subscribe, disconnectAll, phxSocket, pushAsync, phxDisconnect, WAIT_MS,
} from './support/clients.mjs'

// Joins are limited to 100/s by default, client presence calls to 5 per 30 s
// and presence events to 1000/s (averaged): none of these tests is about them.
const BASE_ARGS = ['--max-joins-per-second', '100000', '--max-presence-events-per-second', '1000000']
const GENEROUS = [...BASE_ARGS, '--client-presence-max-calls', '1000']

let server
before(async () => { server = await startServer({ args: GENEROUS }) })
after(async () => { await server?.stop() })

let topicN = 0
const freshTopic = (name) => `${name}-${process.pid}-${++topicN}`
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const other = (vsn) => (vsn === '1.0.0' ? '2.0.0' : '1.0.0')
const UUID_V1 = /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

// waitFor(pred, ms, what): polls pred() every 20 ms; rejects after ms with
// what() (a function, so it can describe the state at the time of failure).
async function waitFor(pred, ms, what) {
  const deadline = Date.now() + ms
  for (;;) {
    if (pred()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${typeof what === 'function' ? what() : what}`)
    await sleep(20)
  }
}

// Order-independent canonical form of a view {key: [meta, ...]}: keys sorted,
// metas without refs, sorted by their JSON.
function canonical(view) {
  const out = {}
  for (const key of Object.keys(view).sort()) {
    out[key] = view[key].map((m) => {
      const { presence_ref, phx_ref, phx_ref_prev, ...rest } = m
      return rest
    }).map((m) => JSON.stringify(m, Object.keys(m).sort())).sort().map((s) => JSON.parse(s))
  }
  return out
}
const same = (a, b) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))

// Seeded PRNG (mulberry32) so the random scenario is reproducible.
function mulberry32(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// ---------------------------------------------------------------- realtime-js

// A realtime-js client subscribed to `topic` with presence key `key`; with
// `listen` it registers sync/join/leave listeners (so realtime-js sends
// presence.enabled=true), without it none.
async function rtMember(topic, { vsn, key = '', listen = true }) {
  const client = rtClient(server, { vsn })
  const channel = client.channel(topic, { config: { presence: { key } } })
  const ev = { sync: 0, join: [], leave: [] }
  if (listen) {
    channel.on('presence', { event: 'sync' }, () => { ev.sync++ })
    channel.on('presence', { event: 'join' }, (p) => { ev.join.push(p) })
    channel.on('presence', { event: 'leave' }, (p) => { ev.leave.push(p) })
  }
  try {
    await subscribe(channel)
  } catch (e) {
    await disconnectAll(client)
    throw e
  }
  return { vsn, key, client, channel, ev, view: () => channel.presenceState() }
}

// Asserts every entry of a realtime-js presenceState() carries a string presence_ref.
function assertRefs(view) {
  for (const [key, metas] of Object.entries(view)) {
    assert.ok(Array.isArray(metas) && metas.length > 0, `key ${key}: ${JSON.stringify(metas)}`)
    for (const m of metas) assert.equal(typeof m.presence_ref, 'string', `key ${key}: ${JSON.stringify(m)}`)
  }
}

describe('realtime-js', () => {
  for (const vsn of VSNS) {
    test(`track/untrack, presenceState and sync/join/leave between three clients (vsn ${vsn}, third ${other(vsn)})`, guard(async () => {
      const topic = freshTopic(`rt-${vsn}`)
      const members = []
      try {
        const a = await rtMember(topic, { vsn, key: 'alice' }); members.push(a)
        const b = await rtMember(topic, { vsn, key: 'bob' }); members.push(b)
        assert.equal(await a.channel.track({ name: 'alice', status: 'online' }), 'ok')
        assert.equal(await b.channel.track({ name: 'bob', status: 'online' }), 'ok')
        const both = { alice: [{ name: 'alice', status: 'online' }], bob: [{ name: 'bob', status: 'online' }] }
        for (const m of [a, b]) {
          await waitFor(() => same(m.view(), both), WAIT_MS, () => `${m.key} sees ${JSON.stringify(m.view())}`)
          assertRefs(m.view())
          assert.ok(m.ev.sync >= 1, `${m.key} got a sync event`)
        }
        // the configured keys are the presence keys; each side saw the other join
        assert.deepEqual(Object.keys(a.view()).sort(), ['alice', 'bob'])
        const bobJoin = a.ev.join.find((p) => p.key === 'bob')
        assert.ok(bobJoin, `alice saw bob join: ${JSON.stringify(a.ev.join)}`)
        assert.equal(bobJoin.event, 'join')
        assert.deepEqual(canonical({ x: bobJoin.newPresences }), { x: [{ name: 'bob', status: 'online' }] })
        assert.equal(typeof bobJoin.newPresences[0].presence_ref, 'string')
        assert.ok(b.ev.join.some((p) => p.key === 'alice'), `bob saw alice join: ${JSON.stringify(b.ev.join)}`)
        const aliceRef = a.view().alice[0].presence_ref
        assert.equal(b.view().alice[0].presence_ref, aliceRef, 'both see the same presence_ref for alice')

        // a late joiner gets the whole state (presence_state after its join)
        const c = await rtMember(topic, { vsn: other(vsn), key: 'carol' }); members.push(c)
        await waitFor(() => same(c.view(), both), WAIT_MS, () => `carol sees ${JSON.stringify(c.view())}`)
        assert.deepEqual(c.ev.join.map((p) => p.key).sort(), ['alice', 'bob'])
        assert.ok(c.ev.sync >= 1)

        // update: tracking again with another meta is a join + leave of the same key
        const mark = members.map((m) => ({ join: m.ev.join.length, leave: m.ev.leave.length }))
        assert.equal(await a.channel.track({ name: 'alice', status: 'away' }), 'ok')
        const updated = { alice: [{ name: 'alice', status: 'away' }], bob: [{ name: 'bob', status: 'online' }] }
        for (const [i, m] of members.entries()) {
          await waitFor(() => same(m.view(), updated) && m.ev.leave.length > mark[i].leave, WAIT_MS,
            () => `${m.key} sees ${JSON.stringify(m.view())}, leaves ${JSON.stringify(m.ev.leave)}`)
          assert.equal(m.view().alice.length, 1, `${m.key}: a single meta for alice`)
          assert.notEqual(m.view().alice[0].presence_ref, aliceRef, 'an update has a new presence_ref')
          const joins = m.ev.join.slice(mark[i].join)
          const leaves = m.ev.leave.slice(mark[i].leave)
          assert.deepEqual(joins.map((p) => [p.key, canonical({ x: p.newPresences }).x]), [['alice', [{ name: 'alice', status: 'away' }]]], `${m.key} joins`)
          assert.deepEqual(leaves.map((p) => [p.key, canonical({ x: p.leftPresences }).x]), [['alice', [{ name: 'alice', status: 'online' }]]], `${m.key} leaves`)
          assert.equal(leaves[0].leftPresences[0].presence_ref, aliceRef)
        }

        // untrack: a leave for bob everywhere
        assert.equal(await b.channel.untrack(), 'ok')
        const aliceOnly = { alice: [{ name: 'alice', status: 'away' }] }
        for (const m of members) {
          await waitFor(() => same(m.view(), aliceOnly), WAIT_MS, () => `${m.key} sees ${JSON.stringify(m.view())}`)
          const last = m.ev.leave[m.ev.leave.length - 1]
          assert.equal(last.key, 'bob')
          assert.deepEqual(canonical({ x: last.leftPresences }).x, [{ name: 'bob', status: 'online' }])
          assert.deepEqual(last.currentPresences, [], 'nothing left under bob')
        }

        // alice's socket goes away: her presence leaves for the others
        await disconnectAll(a.client)
        for (const m of [b, c]) {
          await waitFor(() => same(m.view(), {}), WAIT_MS, () => `${m.key} sees ${JSON.stringify(m.view())}`)
          assert.equal(m.ev.leave[m.ev.leave.length - 1].key, 'alice')
        }
      } finally { await disconnectAll(members.map((m) => m.client)) }
    }))

    test(`a channel without presence listeners gets the state after its first track (vsn ${vsn})`, guard(async () => {
      const topic = freshTopic(`rt-nolisten-${vsn}`)
      const members = []
      try {
        const watcher = await rtMember(topic, { vsn: other(vsn), key: 'watcher' }); members.push(watcher)
        assert.equal(await watcher.channel.track({ w: true }), 'ok')
        const quiet = await rtMember(topic, { vsn, key: 'quiet', listen: false }); members.push(quiet)
        await sleep(300)
        assert.deepEqual(quiet.view(), {}, 'no presence_state for a channel that did not enable presence')
        assert.equal(await quiet.channel.track({ q: 1 }), 'ok')
        const truth = { watcher: [{ w: true }], quiet: [{ q: 1 }] }
        for (const m of members) {
          await waitFor(() => same(m.view(), truth), WAIT_MS, () => `${m.key} sees ${JSON.stringify(m.view())}`)
        }
        // realtime-js without a presence listener: the key is generated by the server when empty
        const anon = await rtMember(topic, { vsn, key: '', listen: false }); members.push(anon)
        assert.equal(await anon.channel.track({ anon: true }), 'ok')
        await waitFor(() => Object.keys(watcher.view()).length === 3, WAIT_MS, () => `watcher sees ${JSON.stringify(watcher.view())}`)
        const generated = Object.keys(watcher.view()).find((k) => k !== 'watcher' && k !== 'quiet')
        assert.match(generated, UUID_V1)
        assert.deepEqual(canonical(watcher.view())[generated], [{ anon: true }])
      } finally { await disconnectAll(members.map((m) => m.client)) }
    }))
  }
})

// ---------------------------------------------------------------- phoenix.js

const presenceJoin = ({ key = '', enabled = false } = {}) => {
  const p = joinPayload()
  p.config.presence = { key, enabled }
  return p
}
const presenceMsg = (event, payload) => (payload === undefined ? { type: 'presence', event } : { type: 'presence', event, payload })

// A phoenix.js socket + channel + Presence on realtime:<topic>.
async function phxMember(topic, { vsn, key }) {
  const socket = await phxSocket(server, { vsn })
  try {
    const channel = socket.channel(`realtime:${topic}`, presenceJoin({ key, enabled: true }))
    const presence = new Presence(channel)
    const ev = { sync: 0, join: [], leave: [] }
    presence.onSync(() => { ev.sync++ })
    presence.onJoin((k, current, joined) => { ev.join.push({ key: k, current, joined }) })
    presence.onLeave((k, current, left) => { ev.leave.push({ key: k, current, left }) })
    const joined = await pushAsync(channel.join())
    assert.equal(joined.status, 'ok', `phoenix.js join: ${JSON.stringify(joined)}`)
    const push = (event, payload) => pushAsync(channel.push('presence', presenceMsg(event, payload)))
    const view = () => Object.fromEntries(presence.list((k, { metas }) => [k, metas]))
    return { vsn, key, socket, channel, presence, ev, push, view }
  } catch (e) {
    await phxDisconnect(socket)
    throw e
  }
}

describe('phoenix.js Presence', () => {
  for (const vsn of VSNS) {
    test(`list()/onJoin/onLeave/onSync converge over raw presence pushes (vsn ${vsn})`, guard(async () => {
      const topic = freshTopic(`phx-${vsn}`)
      const members = []
      try {
        const p1 = await phxMember(topic, { vsn, key: 'p1' }); members.push(p1)
        const p2 = await phxMember(topic, { vsn, key: 'p2' }); members.push(p2)
        assert.deepEqual(await p1.push('track', { n: 1 }), { status: 'ok', response: {} })
        assert.deepEqual(await p2.push('track', { n: 2 }), { status: 'ok', response: {} })
        const both = { p1: [{ n: 1 }], p2: [{ n: 2 }] }
        for (const m of members) {
          await waitFor(() => same(m.view(), both), WAIT_MS, () => `${m.key} lists ${JSON.stringify(m.view())}`)
          assert.ok(m.ev.sync >= 1)
          for (const metas of Object.values(m.view())) assert.equal(typeof metas[0].phx_ref, 'string')
        }
        assert.ok(p1.ev.join.some((j) => j.key === 'p2' && j.current === undefined), 'p1: onJoin(p2, undefined, ...)')
        const oldRef = p2.view().p1[0].phx_ref

        // update (a changed meta): onJoin + onLeave of p1, a single meta carrying phx_ref_prev
        const mark = p2.ev.leave.length
        assert.deepEqual(await p1.push('track', { n: 3 }), { status: 'ok', response: {} })
        await waitFor(() => same(p2.view(), { p1: [{ n: 3 }], p2: [{ n: 2 }] }) && p2.ev.leave.length > mark, WAIT_MS,
          () => `p2 lists ${JSON.stringify(p2.view())}`)
        const metas = p2.presence.state.p1.metas
        assert.equal(metas.length, 1)
        assert.equal(metas[0].phx_ref_prev, oldRef, 'the update meta carries phx_ref_prev = the old phx_ref')
        assert.notEqual(metas[0].phx_ref, oldRef)
        const left = p2.ev.leave.slice(mark)
        assert.deepEqual(left.map((l) => [l.key, l.left.metas.map((m) => m.n)]), [['p1', [1]]])
        const lastJoin = p2.ev.join[p2.ev.join.length - 1]
        assert.equal(lastJoin.key, 'p1')
        assert.deepEqual(lastJoin.joined.metas.map((m) => m.n), [3])

        // untrack p2; then p1 leaves the channel
        assert.deepEqual(await p2.push('untrack'), { status: 'ok', response: {} })
        for (const m of members) {
          await waitFor(() => same(m.view(), { p1: [{ n: 3 }] }), WAIT_MS, () => `${m.key} lists ${JSON.stringify(m.view())}`)
        }
        assert.equal(p1.ev.leave[p1.ev.leave.length - 1].key, 'p2')
        assert.equal((await pushAsync(p1.channel.leave())).status, 'ok')
        await waitFor(() => same(p2.view(), {}), WAIT_MS, () => `p2 lists ${JSON.stringify(p2.view())}`)
        assert.equal(p2.ev.leave[p2.ev.leave.length - 1].key, 'p1')
      } finally { await Promise.all(members.map((m) => phxDisconnect(m.socket))) }
    }))
  }
})

// ---------------------------------------------------------------- 50 clients

describe('many clients', () => {
  test('50 clients (realtime-js V1/V2, phoenix.js V1/V2) track, untrack, update, leave and disconnect in seeded random order; every view converges on the truth', guard(async () => {
    const SEED = 0x5eed2024
    const rand = mulberry32(SEED)
    const topic = freshTopic('crowd')
    const N = 50
    const OBSERVERS = 5
    const kinds = ['rt1', 'rt2', 'phx1', 'phx2']
    const all = []
    const open = async (i) => {
      const kind = kinds[i % kinds.length]
      const key = `u${i}`
      const vsn = kind.endsWith('1') ? '1.0.0' : '2.0.0'
      if (kind.startsWith('rt')) {
        const m = await rtMember(topic, { vsn, key })
        return { i, kind, key, view: m.view, track: async (meta) => assert.equal(await m.channel.track(meta), 'ok', `${key} track`),
          untrack: async () => assert.equal(await m.channel.untrack(), 'ok', `${key} untrack`),
          leave: async () => assert.equal(await m.channel.unsubscribe(), 'ok', `${key} unsubscribe`),
          disconnect: () => disconnectAll(m.client), close: () => disconnectAll(m.client) }
      }
      const m = await phxMember(topic, { vsn, key })
      return { i, kind, key, view: m.view, track: async (meta) => assert.equal((await m.push('track', meta)).status, 'ok', `${key} track`),
        untrack: async () => assert.equal((await m.push('untrack')).status, 'ok', `${key} untrack`),
        leave: async () => assert.equal((await pushAsync(m.channel.leave())).status, 'ok', `${key} leave`),
        disconnect: () => phxDisconnect(m.socket), close: () => phxDisconnect(m.socket) }
    }
    const inBatches = async (items, size, fn) => {
      for (let k = 0; k < items.length; k += size) await Promise.all(items.slice(k, k + size).map(fn))
    }
    const truth = {}
    try {
      // first half joins and tracks, then the second half joins (getting a
      // presence_state with the first half) and tracks
      const ids = Array.from({ length: N }, (_, i) => i)
      for (const half of [ids.slice(0, N / 2), ids.slice(N / 2)]) {
        await inBatches(half, 10, async (i) => { all[i] = await open(i) })
        await inBatches(half, 10, async (i) => {
          const meta = { i, kind: all[i].kind, v: 1 }
          await all[i].track(meta)
          truth[all[i].key] = [meta]
        })
      }
      // observers (0..OBSERVERS-1) stay as they are; everybody else does one random thing
      const ops = ['untrack', 'leave', 'disconnect', 'update', 'stay']
      const rest = ids.slice(OBSERVERS)
      for (let k = rest.length - 1; k > 0; k--) {
        const j = Math.floor(rand() * (k + 1));
        [rest[k], rest[j]] = [rest[j], rest[k]]
      }
      const plan = rest.map((i) => ({ i, op: ops[Math.floor(rand() * ops.length)] }))
      const gone = new Set()
      await inBatches(plan, 5, async ({ i, op }) => {
        const m = all[i]
        if (op === 'untrack') { await m.untrack(); delete truth[m.key] }
        if (op === 'leave') { await m.leave(); delete truth[m.key]; gone.add(i) }
        if (op === 'disconnect') { await m.disconnect(); delete truth[m.key]; gone.add(i) }
        if (op === 'update') {
          const meta = { i, kind: m.kind, v: 2, note: `updated-${Math.floor(rand() * 1e6)}` }
          await m.track(meta)
          truth[m.key] = [meta]
        }
      })
      const remaining = all.filter((m) => !gone.has(m.i))
      assert.ok(remaining.length > OBSERVERS && gone.size > 0, `plan ${JSON.stringify(plan)}`)
      assert.ok(plan.some((p) => p.op === 'untrack') && plan.some((p) => p.op === 'update'), `plan ${JSON.stringify(plan)}`)
      // bounded poll until every remaining view equals the truth, then assert it
      const lagging = () => remaining.filter((m) => !same(m.view(), truth))
      await waitFor(() => lagging().length === 0, 10_000, () => {
        const m = lagging()[0]
        return `${lagging().length} view(s) differ; ${m.key} (${m.kind}) sees ${JSON.stringify(canonical(m.view()))}\n  truth ${JSON.stringify(canonical(truth))}`
      }).catch(() => {})
      for (const m of remaining) assert.deepEqual(canonical(m.view()), canonical(truth), `view of ${m.key} (${m.kind}); seed ${SEED}`)
      // and it stays that way (no late duplicate or stray diff)
      await sleep(300)
      for (const m of remaining) assert.deepEqual(canonical(m.view()), canonical(truth), `view of ${m.key} (${m.kind}) after 300 ms`)
    } finally { await Promise.all(all.filter(Boolean).map((m) => m.close())) }
  }))
})

// ---------------------------------------------------------------- raw frames

const isOn = (topic, event) => (f) => f.msg?.topic === topic && f.msg?.event === event

// join(s, topic, payload): sends phx_join (join_ref = ref) and asserts the exact ok reply.
async function join(s, topic, payload = presenceJoin()) {
  const ref = s.nextRef()
  s.send([ref, ref, topic, 'phx_join', payload])
  const f = await s.c.next((x) => isOn(topic, 'phx_reply')(x) && x.msg.ref === ref, WAIT_MS, `join reply ${topic}`)
  assert.deepEqual(f.json, wire(s.vsn, [ref, ref, topic, 'phx_reply', { status: 'ok', response: { postgres_changes: [] } }]))
  return ref
}

// push(s, jr, topic, body) -> ref of a `presence` push.
function push(s, jr, topic, body) {
  const ref = s.nextRef()
  s.send([jr, ref, topic, 'presence', body])
  return ref
}

// expectReply(s, jr, topic, ref, status, response): the exact reply to `ref`.
async function expectReply(s, jr, topic, ref, status, response) {
  const f = await s.c.next((x) => isOn(topic, 'phx_reply')(x) && x.msg.ref === ref, WAIT_MS, `reply to ${ref} on ${topic}`)
  assert.deepEqual(f.json, wire(s.vsn, [jr, ref, topic, 'phx_reply', { status, response }]))
  return f
}

// Checks a presence map {key: {metas: [{phx_ref, ...}]}} and returns it as
// {key: [meta without phx_ref/phx_ref_prev]}.
function stripPresences(map, what) {
  assert.ok(map && typeof map === 'object' && !Array.isArray(map), `${what}: ${JSON.stringify(map)}`)
  const out = {}
  for (const [key, entry] of Object.entries(map)) {
    assert.deepEqual(Object.keys(entry), ['metas'], `${what}.${key}: ${JSON.stringify(entry)}`)
    assert.ok(Array.isArray(entry.metas) && entry.metas.length > 0, `${what}.${key}`)
    out[key] = entry.metas.map((m) => {
      assert.equal(typeof m.phx_ref, 'string', `${what}.${key} phx_ref: ${JSON.stringify(m)}`)
      assert.ok(m.phx_ref.length > 0)
      if ('phx_ref_prev' in m) assert.equal(typeof m.phx_ref_prev, 'string')
      const { phx_ref, phx_ref_prev, ...rest } = m
      return rest
    })
  }
  return out
}

// nextDiff(s, topic): the next presence_diff on topic; checks the envelope
// ([null, null, topic, "presence_diff", ...]) and the payload shape. Returns
// {raw, joins, leaves} with joins/leaves stripped of refs.
async function nextDiff(s, topic, ms = WAIT_MS) {
  const f = await s.c.next(isOn(topic, 'presence_diff'), ms, `presence_diff on ${topic}`)
  assert.equal(f.opcode, 'text')
  assert.deepEqual(f.json, wire(s.vsn, [null, null, topic, 'presence_diff', f.msg.payload]))
  const raw = f.msg.payload
  assert.deepEqual(Object.keys(raw).sort(), ['joins', 'leaves'], `diff ${JSON.stringify(raw)}`)
  return { raw, joins: stripPresences(raw.joins, 'joins'), leaves: stripPresences(raw.leaves, 'leaves'), seq: f.seq }
}

// nextState(s, jr, topic): the next presence_state on topic (envelope checked).
async function nextState(s, jr, topic, ms = WAIT_MS) {
  const f = await s.c.next(isOn(topic, 'presence_state'), ms, `presence_state on ${topic}`)
  assert.deepEqual(f.json, wire(s.vsn, [jr, null, topic, 'presence_state', f.msg.payload]))
  return { raw: f.msg.payload, state: stripPresences(f.msg.payload, 'state'), seq: f.seq }
}

const noDiff = (s, topic, ms = 300) => s.c.expectNoFrame(ms, isOn(topic, 'presence_diff'))

async function heartbeat(s) {
  const ref = s.nextRef()
  s.send([null, ref, 'phoenix', 'heartbeat', {}])
  const f = await s.c.next((x) => isOn('phoenix', 'phx_reply')(x) && x.msg.ref === ref, WAIT_MS, 'heartbeat reply')
  assert.deepEqual(f.json, wire(s.vsn, [null, ref, 'phoenix', 'phx_reply', { status: 'ok', response: {} }]))
}

async function sessions(srv, vsns) {
  return Promise.all(vsns.map((vsn) => openSession(srv, { vsn })))
}
const closeAll = (list) => Promise.all(list.map((s) => s.close()))

for (const vsn of VSNS) {
  describe(`wire shapes (raw frames, vsn ${vsn})`, () => {
    test('track replies ok; presence_diff has the exact shape and reaches the tracker and an observer', guard(async () => {
      const topic = `realtime:${freshTopic('raw-track')}`
      const [a, b, plain] = await sessions(server, [vsn, vsn, other(vsn)])
      try {
        const ja = await join(a, topic, presenceJoin({ key: 'k1' }))
        const jb = await join(b, topic, presenceJoin({ key: 'obs', enabled: true }))
        assert.deepEqual((await nextState(b, jb, topic)).raw, {}, 'empty presence_state for the observer')
        await join(plain, topic, presenceJoin({ key: 'plain', enabled: false }))
        const ref = push(a, ja, topic, presenceMsg('track', { name: 'k1', nested: { list: [1, 'two', null] } }))
        await expectReply(a, ja, topic, ref, 'ok', {})
        const atB = await nextDiff(b, topic)
        assert.deepEqual({ joins: atB.joins, leaves: atB.leaves }, { joins: { k1: [{ name: 'k1', nested: { list: [1, 'two', null] } }] }, leaves: {} })
        assert.equal(atB.raw.joins.k1.metas.length, 1)
        assert.ok(!('phx_ref_prev' in atB.raw.joins.k1.metas[0]), 'no phx_ref_prev on a first track')
        // the tracking channel gets its own diff (and, not having enabled presence, the state)
        const atA = await nextDiff(a, topic)
        assert.deepEqual(atA.raw, atB.raw)
        // a subscriber that neither enabled presence nor tracked gets the diff too, and no state
        const atPlain = await nextDiff(plain, topic)
        assert.deepEqual(atPlain.raw, atB.raw)
        await plain.c.expectNoFrame(0, isOn(topic, 'presence_state'))
        const st = await nextState(a, ja, topic)
        assert.deepEqual(st.raw, atB.raw.joins)
        // identical re-track: ok, no diff anywhere, no second state
        const again = push(a, ja, topic, presenceMsg('track', { nested: { list: [1, 'two', null] }, name: 'k1' }))
        await expectReply(a, ja, topic, again, 'ok', {})
        await noDiff(b, topic)
        await noDiff(a, topic, 0)
        await a.c.expectNoFrame(0, isOn(topic, 'presence_state'))
        await noDiff(plain, topic, 0)
      } finally { await closeAll([a, b, plain]) }
    }))

    test('presence_state follows the join reply when the join enables presence; the state carries the tracked metas', guard(async () => {
      const topic = `realtime:${freshTopic('raw-state')}`
      const [a, b] = await sessions(server, [vsn, vsn])
      try {
        const ja = await join(a, topic, presenceJoin({ key: 'first' }))
        const ref = push(a, ja, topic, presenceMsg('track', { order: 1 }))
        await expectReply(a, ja, topic, ref, 'ok', {})
        const own = await nextDiff(a, topic)
        // raw join of b: the reply must be the first frame, presence_state the second
        const jref = b.nextRef()
        b.send([jref, jref, topic, 'phx_join', presenceJoin({ key: 'second', enabled: true })])
        await b.expectNext([jref, jref, topic, 'phx_reply', { status: 'ok', response: { postgres_changes: [] } }])
        const f = await b.c.next(() => true, WAIT_MS, 'presence_state right after the join reply')
        assert.equal(f.msg?.event, 'presence_state', `got ${f.data}`)
        assert.deepEqual(f.json, wire(vsn, [jref, null, topic, 'presence_state', own.raw.joins]))
        assert.equal(f.msg.payload.first.metas[0].phx_ref, own.raw.joins.first.metas[0].phx_ref)
      } finally { await closeAll([a, b]) }
    }))

    test('a join without presence enabled gets no presence_state until its first track', guard(async () => {
      const topic = `realtime:${freshTopic('raw-lazy')}`
      const [a, b] = await sessions(server, [vsn, vsn])
      try {
        const jb = await join(b, topic, presenceJoin({ key: 'b' }))
        const rb = push(b, jb, topic, presenceMsg('track', { who: 'b' }))
        await expectReply(b, jb, topic, rb, 'ok', {})
        await nextDiff(b, topic)
        await nextState(b, jb, topic)
        const ja = await join(a, topic, presenceJoin({ key: 'a', enabled: false }))
        await a.c.expectNoFrame(300)
        const ra = push(a, ja, topic, presenceMsg('track', { who: 'a' }))
        await expectReply(a, ja, topic, ra, 'ok', {})
        const st = await nextState(a, ja, topic)
        assert.deepEqual(st.state.b, [{ who: 'b' }])
        // a's own meta is in that state or arrives as a diff right after it
        if (!st.state.a) {
          const d = await nextDiff(a, topic)
          assert.deepEqual(d.joins, { a: [{ who: 'a' }] })
        }
        // b (a plain subscriber after its own track) sees a's join
        const d = await nextDiff(b, topic)
        assert.deepEqual({ joins: d.joins, leaves: d.leaves }, { joins: { a: [{ who: 'a' }] }, leaves: {} })
      } finally { await closeAll([a, b]) }
    }))

    test('an empty or absent presence key becomes a server-generated UUIDv1', guard(async () => {
      const topic = `realtime:${freshTopic('raw-uuid')}`
      const [a, a2, b] = await sessions(server, [vsn, vsn, vsn])
      try {
        const jb = await join(b, topic, presenceJoin({ key: 'obs', enabled: true }))
        await nextState(b, jb, topic)
        const ja = await join(a, topic, presenceJoin({ key: '' }))
        await expectReply(a, ja, topic, push(a, ja, topic, presenceMsg('track', { anon: 1 })), 'ok', {})
        const d1 = await nextDiff(b, topic)
        const [k1] = Object.keys(d1.joins)
        assert.match(k1, UUID_V1)
        // no presence object at all in the config
        const bare = joinPayload()
        delete bare.config.presence
        const ja2 = await join(a2, topic, bare)
        await expectReply(a2, ja2, topic, push(a2, ja2, topic, presenceMsg('track', { anon: 2 })), 'ok', {})
        const d2 = await nextDiff(b, topic)
        const [k2] = Object.keys(d2.joins)
        assert.match(k2, UUID_V1)
        assert.notEqual(k1, k2, 'two channels get two keys')
        assert.deepEqual(d2.joins[k2], [{ anon: 2 }])
      } finally { await closeAll([a, a2, b]) }
    }))

    test('update: a changed re-track is one diff with a join (phx_ref_prev) and a leave of the old meta; untrack is a leave', guard(async () => {
      const topic = `realtime:${freshTopic('raw-update')}`
      const [a, b] = await sessions(server, [vsn, vsn])
      try {
        const jb = await join(b, topic, presenceJoin({ key: 'obs', enabled: true }))
        await nextState(b, jb, topic)
        const ja = await join(a, topic, presenceJoin({ key: 'u' }))
        await expectReply(a, ja, topic, push(a, ja, topic, presenceMsg('track', { v: 1 })), 'ok', {})
        const first = await nextDiff(b, topic)
        const ref1 = first.raw.joins.u.metas[0].phx_ref
        await expectReply(a, ja, topic, push(a, ja, topic, presenceMsg('track', { v: 2 })), 'ok', {})
        const upd = await nextDiff(b, topic)
        assert.deepEqual({ joins: upd.joins, leaves: upd.leaves }, { joins: { u: [{ v: 2 }] }, leaves: { u: [{ v: 1 }] } })
        const joined = upd.raw.joins.u.metas[0]
        assert.equal(joined.phx_ref_prev, ref1)
        assert.notEqual(joined.phx_ref, ref1)
        assert.equal(upd.raw.leaves.u.metas[0].phx_ref, ref1)
        await noDiff(b, topic)
        // untrack: a leave of the current meta
        await expectReply(a, ja, topic, push(a, ja, topic, presenceMsg('untrack')), 'ok', {})
        const gone = await nextDiff(b, topic)
        assert.deepEqual({ joins: gone.joins, leaves: gone.leaves }, { joins: {}, leaves: { u: [{ v: 2 }] } })
        assert.equal(gone.raw.leaves.u.metas[0].phx_ref, joined.phx_ref)
        // untrack when nothing is tracked: ok, no diff
        await expectReply(a, ja, topic, push(a, ja, topic, presenceMsg('untrack')), 'ok', {})
        await noDiff(b, topic)
        // tracking again after an untrack: a fresh join
        await expectReply(a, ja, topic, push(a, ja, topic, presenceMsg('track', { v: 2 })), 'ok', {})
        const back = await nextDiff(b, topic)
        assert.deepEqual({ joins: back.joins, leaves: back.leaves }, { joins: { u: [{ v: 2 }] }, leaves: {} })
      } finally { await closeAll([a, b]) }
    }))

    test('error replies: non-map payload, unknown event; ok without event; TRACK in capitals; missing payload is {}', guard(async () => {
      const topic = `realtime:${freshTopic('raw-errors')}`
      const [a, b] = await sessions(server, [vsn, vsn])
      try {
        const jb = await join(b, topic, presenceJoin({ key: 'obs', enabled: true }))
        await nextState(b, jb, topic)
        const ja = await join(a, topic, presenceJoin({ key: 'e' }))
        const notMap = { reason: 'Presence track payload must be a map' }
        for (const bad of [5, null, 'text', [1, 2], true]) {
          await expectReply(a, ja, topic, push(a, ja, topic, presenceMsg('track', bad)), 'error', notMap)
        }
        await expectReply(a, ja, topic, push(a, ja, topic, presenceMsg('dance', { x: 1 })), 'error', {})
        await expectReply(a, ja, topic, push(a, ja, topic, { type: 'presence', payload: { x: 1 } }), 'ok', {})
        await expectReply(a, ja, topic, push(a, ja, topic, {}), 'ok', {})
        await noDiff(b, topic)
        await noDiff(a, topic, 0)
        // the channel is still joined: an upper-case TRACK without payload tracks {}
        await expectReply(a, ja, topic, push(a, ja, topic, { type: 'presence', event: 'TRACK' }), 'ok', {})
        const d = await nextDiff(b, topic)
        assert.deepEqual({ joins: d.joins, leaves: d.leaves }, { joins: { e: [{}] }, leaves: {} })
        assert.deepEqual(Object.keys(d.raw.joins.e.metas[0]), ['phx_ref'])
        // Untrack in mixed case
        await expectReply(a, ja, topic, push(a, ja, topic, presenceMsg('UnTrack')), 'ok', {})
        const l = await nextDiff(b, topic)
        assert.deepEqual({ joins: l.joins, leaves: l.leaves }, { joins: {}, leaves: { e: [{}] } })
        await heartbeat(a)
      } finally { await closeAll([a, b]) }
    }))

    test('phx_leave of the tracking channel, a clean socket close and a dropped socket each make the presence leave', guard(async () => {
      const topic = `realtime:${freshTopic('raw-leave')}`
      const [obs, leaver, closer, dropper] = await sessions(server, [vsn, vsn, other(vsn), vsn])
      try {
        const jo = await join(obs, topic, presenceJoin({ key: 'obs', enabled: true }))
        await nextState(obs, jo, topic)
        const track = async (s, key) => {
          const jr = await join(s, topic, presenceJoin({ key }))
          await expectReply(s, jr, topic, push(s, jr, topic, presenceMsg('track', { key })), 'ok', {})
          const d = await nextDiff(obs, topic)
          assert.deepEqual(d.joins, { [key]: [{ key }] })
          return { jr, meta: d.raw.joins[key].metas[0] }
        }
        const l = await track(leaver, 'leaver')
        const c = await track(closer, 'closer')
        const x = await track(dropper, 'dropper')

        const ref = leaver.nextRef()
        leaver.send([l.jr, ref, topic, 'phx_leave', {}])
        await expectReply(leaver, l.jr, topic, ref, 'ok', {})
        const d1 = await nextDiff(obs, topic)
        assert.deepEqual(d1.raw, { joins: {}, leaves: { leaver: { metas: [l.meta] } } })

        await closer.close()
        const d2 = await nextDiff(obs, topic)
        assert.deepEqual(d2.raw, { joins: {}, leaves: { closer: { metas: [c.meta] } } })

        dropper.c.terminate()
        const d3 = await nextDiff(obs, topic)
        assert.deepEqual(d3.raw, { joins: {}, leaves: { dropper: { metas: [x.meta] } } })
        await noDiff(obs, topic)
      } finally { await closeAll([obs, leaver, closer, dropper]) }
    }))
  })
}

// ---------------------------------------------------------------- limits

// expectClosedBy(s, jr, topic, message): a system error `message` on the
// channel, then phx_close; returns the two frames.
async function expectClosedBy(s, jr, topic, message) {
  const sys = await s.c.next(isOn(topic, 'system'), WAIT_MS, `system "${message}" on ${topic}`)
  assert.deepEqual(sys.json, wire(s.vsn, [jr, null, topic, 'system',
    { extension: 'system', status: 'error', message, channel: topic.slice('realtime:'.length) }]))
  const close = await s.c.next(isOn(topic, 'phx_close'), WAIT_MS, `phx_close on ${topic}`)
  assert.deepEqual(close.json, wire(s.vsn, [jr, jr, topic, 'phx_close', {}]))
  assert.ok(sys.seq < close.seq, 'the system message comes before phx_close')
  return { sys, close }
}

describe('limits', () => {
  for (const vsn of VSNS) {
    test(`--client-presence-max-calls 3: the 4th presence call closes the channel with "Client presence rate limit exceeded" (vsn ${vsn})`, guard(async () => {
      const srv = await startServer({ args: [...BASE_ARGS, '--client-presence-max-calls', '3'] })
      const [a, b] = await sessions(srv, [vsn, vsn])
      try {
        const topic = `realtime:${freshTopic('limit-calls')}`
        const jb = await join(b, topic, presenceJoin({ key: 'obs', enabled: true }))
        await nextState(b, jb, topic)
        const ja = await join(a, topic, presenceJoin({ key: 'lim' }))
        // messages without an event are answered and not counted
        for (let k = 0; k < 4; k++) await expectReply(a, ja, topic, push(a, ja, topic, { type: 'presence' }), 'ok', {})
        await expectReply(a, ja, topic, push(a, ja, topic, presenceMsg('track', { n: 1 })), 'ok', {})
        await expectReply(a, ja, topic, push(a, ja, topic, presenceMsg('untrack')), 'ok', {})
        await expectReply(a, ja, topic, push(a, ja, topic, presenceMsg('track', { n: 2 })), 'ok', {})
        const diffs = [await nextDiff(b, topic), await nextDiff(b, topic), await nextDiff(b, topic)]
        assert.deepEqual(diffs.map((d) => [d.joins, d.leaves]), [
          [{ lim: [{ n: 1 }] }, {}], [{}, { lim: [{ n: 1 }] }], [{ lim: [{ n: 2 }] }, {}]])
        const over = push(a, ja, topic, presenceMsg('track', { n: 3 }))
        await expectClosedBy(a, ja, topic, 'Client presence rate limit exceeded')
        assert.ok(!a.c.history.some((f) => isOn(topic, 'phx_reply')(f) && f.msg.ref === over), 'the refused call gets no reply')
        // the tracked presence leaves with the channel; n: 3 never shows
        const gone = await nextDiff(b, topic)
        assert.deepEqual([gone.joins, gone.leaves], [{}, { lim: [{ n: 2 }] }])
        await noDiff(b, topic)
        // the socket stays open
        assert.ok(a.c.isOpen)
        await heartbeat(a)
        await join(a, `realtime:${freshTopic('limit-calls-other')}`)
      } finally { await closeAll([a, b]); await srv.stop() }
    }))
  }

  test('--client-presence-window-ms: calls are allowed again in the next window', guard(async () => {
    const srv = await startServer({ args: [...BASE_ARGS, '--client-presence-max-calls', '2', '--client-presence-window-ms', '400'] })
    const [a] = await sessions(srv, ['2.0.0'])
    try {
      const topic = `realtime:${freshTopic('limit-window')}`
      const ja = await join(a, topic, presenceJoin({ key: 'w' }))
      for (let round = 0; round < 2; round++) {
        await expectReply(a, ja, topic, push(a, ja, topic, presenceMsg('track', { round, k: 1 })), 'ok', {})
        await expectReply(a, ja, topic, push(a, ja, topic, presenceMsg('track', { round, k: 2 })), 'ok', {})
        await sleep(600)
      }
      push(a, ja, topic, presenceMsg('track', { k: 3 }))
      push(a, ja, topic, presenceMsg('track', { k: 4 }))
      push(a, ja, topic, presenceMsg('track', { k: 5 }))
      await expectClosedBy(a, ja, topic, 'Client presence rate limit exceeded')
    } finally { await closeAll([a]); await srv.stop() }
  }))

  for (const vsn of VSNS) {
    test(`--max-payload-size-kb 1: a larger track closes the channel with "Track message size exceeded" (vsn ${vsn})`, guard(async () => {
      const srv = await startServer({ args: [...GENEROUS, '--max-payload-size-kb', '1'] })
      const [a, b] = await sessions(srv, [vsn, vsn])
      try {
        const topic = `realtime:${freshTopic('limit-size')}`
        const jb = await join(b, topic, presenceJoin({ key: 'obs', enabled: true }))
        await nextState(b, jb, topic)
        const ja = await join(a, topic, presenceJoin({ key: 'big' }))
        const small = { blob: 'x'.repeat(900) }
        await expectReply(a, ja, topic, push(a, ja, topic, presenceMsg('track', small)), 'ok', {})
        assert.deepEqual((await nextDiff(b, topic)).joins, { big: [small] })
        const over = push(a, ja, topic, presenceMsg('track', { blob: 'y'.repeat(3000) }))
        await expectClosedBy(a, ja, topic, 'Track message size exceeded')
        assert.ok(!a.c.history.some((f) => isOn(topic, 'phx_reply')(f) && f.msg.ref === over), 'the refused track gets no reply')
        const gone = await nextDiff(b, topic)
        assert.deepEqual([gone.joins, gone.leaves], [{}, { big: [small] }])
        await noDiff(b, topic)
        await heartbeat(a)
      } finally { await closeAll([a, b]); await srv.stop() }
    }))
  }

  test('--max-presence-events-per-second 1: once the first 5 s tick averages above it, a track closes its channel with "Too many presence messages per second"', guard(async () => {
    const started = Date.now()
    const srv = await startServer({ args: ['--max-joins-per-second', '100000', '--client-presence-max-calls', '1000', '--max-presence-events-per-second', '1'] })
    const listening = Date.now()
    const sess = []
    try {
      const topic = `realtime:${freshTopic('limit-node-rate')}`
      const [a, b, c] = await sessions(srv, ['2.0.0', '1.0.0', '2.0.0'])
      sess.push(a, b, c)
      const jb = await join(b, topic, presenceJoin({ key: 'obs', enabled: true }))
      await nextState(b, jb, topic)
      const ja = await join(a, topic, presenceJoin({ key: 'busy' }))
      // well over 5 events (tracks and diff deliveries) inside the first tick
      for (let n = 0; n < 8; n++) await expectReply(a, ja, topic, push(a, ja, topic, presenceMsg('track', { n })), 'ok', {})
      assert.ok(Date.now() - started < 4500, 'the burst fits in the first 5 s tick')
      // the rate counter starts between spawning and listening: 5.3 s after
      // the listening line, its first tick is closed
      await sleep(Math.max(0, listening + 5300 - Date.now()))
      const jc = await join(c, topic, presenceJoin({ key: 'late' }))
      push(c, jc, topic, presenceMsg('track', { late: true }))
      await expectClosedBy(c, jc, topic, 'Too many presence messages per second')
      await heartbeat(c)
    } finally { await closeAll(sess); await srv.stop() }
  }))
})

test('a meta number JSON cannot carry (1e999, sent raw) is listed as null: presence_diff and presence_state stay parseable for everyone', guard(async () => {
  const topic = `realtime:${freshTopic('non-finite')}`
  const [a, b] = await sessions(server, ['2.0.0', '1.0.0'])
  try {
    const ja = await join(a, topic, presenceJoin({ key: 'big' }))
    const jb = await join(b, topic, presenceJoin({ key: 'obs', enabled: true }))
    await nextState(b, jb, topic)
    const ref = a.nextRef()
    a.c.sendText(`["${ja}","${ref}","${topic}","presence",{"type":"presence","event":"track","payload":{"x":1e999,"y":[-1e999]}}]`)
    await expectReply(a, ja, topic, ref, 'ok', {})
    const diff = await nextDiff(b, topic)
    assert.deepEqual(diff.joins, { big: [{ x: null, y: [null] }] })
    const late = await openSession(server, { vsn: '2.0.0' })
    try {
      const jl = await join(late, topic, presenceJoin({ key: 'late', enabled: true }))
      assert.deepEqual((await nextState(late, jl, topic)).state, { big: [{ x: null, y: [null] }] })
    } finally {
      await late.close()
    }
  } finally {
    await closeAll([a, b])
  }
}))
