// Thin helpers around the real npm clients (realtime-js and phoenix.js) so the
// tests read as scenarios. Node 20 has no global WebSocket: `ws` is passed as
// the transport everywhere.
import WebSocket from 'ws'
import { RealtimeClient } from '@supabase/realtime-js'
import { Socket } from 'phoenix'
import { token } from './jwt.mjs'

export const WAIT_MS = 3000

// withTimeout(promise, ms, what): rejects with a clear message after ms.
export function withTimeout(promise, ms, what) {
  let timer
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms) }),
  ])
}

// A promise plus its resolve/reject, for callbacks.
export function deferred() {
  let resolve, reject
  const promise = new Promise((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}

// ---------------------------------------------------------------- realtime-js

// rtClient(server, {vsn, apikey, ...options}): a RealtimeClient on /realtime/v1/websocket.
export function rtClient(server, { vsn = '2.0.0', apikey = token(), ...options } = {}) {
  return new RealtimeClient(`${server.wsBase}/realtime/v1`, {
    params: { apikey },
    vsn,
    transport: WebSocket,
    timeout: 5000,
    logger: () => {}, // silences the REST-fallback console warnings; logs are not asserted
    ...options,
  })
}

// subscribe(channel, ms): resolves once SUBSCRIBED, rejects on any other status.
export function subscribe(channel, ms = 8000) {
  const d = deferred()
  channel.subscribe((status, err) => {
    if (status === 'SUBSCRIBED') d.resolve(status)
    else d.reject(new Error(`channel ${channel.topic}: ${status}${err ? ` (${err.message})` : ''}`))
  })
  return withTimeout(d.promise, ms, `subscribe ${channel.topic}`)
}

// Records broadcasts for `event` ('*' for all) on a realtime-js channel.
// Must be called before subscribe().
export function collectBroadcasts(channel, event = '*') {
  const got = []
  const waiters = []
  channel.on('broadcast', { event }, (msg) => {
    got.push(msg)
    for (let i = 0; i < waiters.length; i++) {
      if (waiters[i].check()) { waiters.splice(i, 1); i-- }
    }
  })
  return {
    got,
    // until(n, ms): resolves when at least n broadcasts arrived.
    until(n, ms = WAIT_MS) {
      const d = deferred()
      const w = { check: () => { if (got.length >= n) { d.resolve(got); return true } return false } }
      if (!w.check()) waiters.push(w)
      return withTimeout(d.promise, ms, `${n} broadcast(s) on ${channel.topic} (got ${got.length})`)
    },
    // quiet(ms): resolves after ms; the caller then asserts on `got`.
    quiet(ms = 300) { return new Promise((r) => setTimeout(r, ms)) },
  }
}

// watchChanges(channel, table): records the ids of INSERTs into `table` and
// every system message of a realtime-js channel (call before subscribe());
// until(pred, ms, what) resolves once pred() holds after any of them.
export function watchChanges(channel, table) {
  const got = []
  const system = []
  const waiters = []
  const poke = () => { for (let i = 0; i < waiters.length; i++) if (waiters[i]()) { waiters.splice(i, 1); i-- } }
  const until = (pred, ms, what) => {
    const d = deferred()
    const w = () => { if (pred()) { d.resolve(); return true } return false }
    if (!w()) waiters.push(w)
    return withTimeout(d.promise, ms, `${what}; changes ${JSON.stringify(got)}; system ${JSON.stringify(system)}`)
  }
  channel.on('postgres_changes', { event: 'INSERT', schema: 'public', table }, (p) => { got.push(p.new.id); poke() })
  channel.on('system', {}, (m) => { system.push(m); poke() })
  return { got, system, until, poke }
}

// Disconnects every client given, ignoring errors, bounded in time.
export async function disconnectAll(...clients) {
  await Promise.all(clients.flat().filter(Boolean).map((c) =>
    withTimeout(Promise.resolve().then(() => c.disconnect()), 3000, 'disconnect').catch(() => {})))
}

// ---------------------------------------------------------------- phoenix.js

// V1 wire format for phoenix.js: its built-in serializer always speaks V2, so a
// vsn 1.0.0 socket needs object-shaped JSON encode/decode.
const v1Codec = {
  encode: (msg, callback) => callback(JSON.stringify({
    topic: msg.topic, event: msg.event, payload: msg.payload, ref: msg.ref, join_ref: msg.join_ref,
  })),
  decode: (raw, callback) => callback(JSON.parse(raw)),
}

// phxSocket(server, {vsn, path, apikey}): a connected phoenix.js Socket.
export async function phxSocket(server, { vsn = '2.0.0', path = '/socket', apikey = token(), ...options } = {}) {
  const socket = new Socket(`${server.wsBase}${path}`, {
    transport: WebSocket,
    params: { apikey },
    vsn,
    timeout: 5000,
    reconnectAfterMs: () => 60_000, // tests assert on explicit behaviour, not on reconnects
    rejoinAfterMs: () => 60_000,
    ...(vsn === '1.0.0' ? v1Codec : {}),
    ...options,
  })
  const opened = deferred()
  const openRef = socket.onOpen(() => opened.resolve())
  const errRef = socket.onError((e) => opened.reject(new Error(`phoenix socket error: ${e?.message ?? e}`)))
  socket.connect()
  try {
    await withTimeout(opened.promise, WAIT_MS, `phoenix socket open (${vsn})`)
  } finally {
    socket.off([openRef, errRef])
  }
  return socket
}

// pushAsync(push, ms): resolves {status, response} for ok/error, rejects on timeout.
export function pushAsync(push, ms = WAIT_MS) {
  const d = deferred()
  push.receive('ok', (response) => d.resolve({ status: 'ok', response }))
  push.receive('error', (response) => d.resolve({ status: 'error', response }))
  push.receive('timeout', () => d.reject(new Error('push timed out')))
  return withTimeout(d.promise, ms, 'push reply')
}

// phxDisconnect(socket): clean close (code 1000), bounded.
export function phxDisconnect(socket) {
  return withTimeout(new Promise((resolve) => socket.disconnect(resolve, 1000)), 3000, 'phoenix disconnect').catch(() => {})
}
