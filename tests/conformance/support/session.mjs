// Raw-frame sessions: a RawClient bound to one vsn, with helpers that build
// client frames in that vsn and assert exact server frames.
import assert from 'node:assert/strict'
import { connect, frame, wire, wsUrl, DEFAULT_TIMEOUT_MS } from './raw.mjs'
import { token } from './jwt.mjs'

export const VSNS = ['1.0.0', '2.0.0']

// A realtime-js style join payload.
export function joinPayload({ self = false, ack = false, postgres_changes = [], access_token, extra = {} } = {}) {
  const p = {
    config: {
      broadcast: { ack, self },
      presence: { key: '', enabled: false },
      postgres_changes,
      private: false,
    },
    ...extra,
  }
  if (access_token !== undefined) p.access_token = access_token
  return p
}

export async function openSession(server, { vsn = '2.0.0', path = '/socket/websocket', apikey = token(), headers = {}, query } = {}) {
  const url = wsUrl(server.wsBase, { path, apikey, vsn: query === undefined ? vsn : query })
  const c = await connect(url, { headers })
  return new Session(c, vsn)
}

export class Session {
  constructor(client, vsn) {
    this.c = client
    this.vsn = vsn
    this.refN = 0
  }

  nextRef() { return String(++this.refN) }

  // send([join_ref, ref, topic, event, payload]) in this session's vsn.
  send([join_ref, ref, topic, event, payload]) {
    this.c.sendText(frame(this.vsn, { join_ref, ref, topic, event, payload }))
  }

  // expectNext(expected, ms): the very next frame must be exactly `expected`
  // ([join_ref, ref, topic, event, payload], converted to the vsn's shape).
  async expectNext(expected, ms = DEFAULT_TIMEOUT_MS) {
    const f = await this.c.next(() => true, ms, `next frame ${JSON.stringify(expected)}`)
    assert.equal(f.opcode, 'text', `expected a text frame, got binary ${f.data.toString('hex')}`)
    assert.deepEqual(f.json, wire(this.vsn, expected))
    if (this.vsn === '1.0.0') assert.ok(!('join_ref' in f.json), 'V1 output must not carry join_ref')
    return f
  }

  // join(topic, payload): sends phx_join with join_ref = ref and asserts an ok reply.
  async join(topic, payload = joinPayload(), { jr } = {}) {
    const ref = this.nextRef()
    const joinRef = jr ?? ref
    this.send([joinRef, ref, topic, 'phx_join', payload])
    await this.expectNext([joinRef, ref, topic, 'phx_reply', { status: 'ok', response: { postgres_changes: [] } }])
    return joinRef
  }

  // joinError(topic, payload, reason, replyJoinRef): asserts an error reply with that reason.
  async joinError(topic, payload, reason, { replyJoinRef } = {}) {
    const ref = this.nextRef()
    this.send([ref, ref, topic, 'phx_join', payload])
    await this.expectNext([replyJoinRef === undefined ? ref : replyJoinRef, ref, topic, 'phx_reply', { status: 'error', response: { reason } }])
  }

  async heartbeat(ref = this.nextRef()) {
    this.send([null, ref, 'phoenix', 'heartbeat', {}])
    await this.expectNext([null, ref, 'phoenix', 'phx_reply', { status: 'ok', response: {} }])
  }

  close() { return this.c.close() }
}
