// A raw Phoenix/Realtime client on top of `ws`: frames in, frames out, nothing
// interpreted except parsing. Every wait is bounded.
//
//   const c = await connect(url, {headers})
//   c.sendText({topic, event, payload, ref})      // objects are JSON-encoded
//   c.sendBinary(Buffer)
//   const f = await c.next((f) => f.msg?.ref === '1', 2000)
//   await c.expectNoFrame(300)
//   const {code, reason} = await c.closed(3000)
//
// Parsed frame: {seq, opcode: 'text'|'binary', data, json, msg}
//   data: string (text) or Buffer (binary); json: parsed JSON or undefined;
//   msg: {join_ref, ref, topic, event, payload} normalised from a V1 object, a
//        V2 array, or a V2 binary kind-4 frame (payload = {type, event, payload[, meta]},
//        with binary user payloads as Buffer and `encoding` 0|1 kept alongside).
import WebSocket from 'ws'

export const DEFAULT_TIMEOUT_MS = 3000

export class HandshakeRefused extends Error {
  constructor(status, body, headers) {
    super(`WebSocket upgrade refused with HTTP ${status}: ${body}`)
    this.status = status
    this.body = body
    this.headers = headers
    try { this.json = JSON.parse(body) } catch { this.json = undefined }
  }
}

// ---------------------------------------------------------------- parsing

export function normalise(json) {
  if (Array.isArray(json)) {
    const [join_ref, ref, topic, event, payload] = json
    return { join_ref, ref, topic, event, payload }
  }
  if (json && typeof json === 'object') {
    return { join_ref: json.join_ref, ref: json.ref, topic: json.topic, event: json.event, payload: json.payload }
  }
  return undefined
}

// Decodes a server->client V2 binary frame. Kind 4 (user broadcast) is mapped
// to a "broadcast" message; other kinds are returned with only `kind` set.
export function decodeBinary(buf) {
  if (buf.length === 0) return { kind: undefined }
  const kind = buf[0]
  if (kind !== 4 || buf.length < 5) return { kind }
  const topicLen = buf[1]
  const eventLen = buf[2]
  const metaLen = buf[3]
  const encoding = buf[4]
  let off = 5
  const topic = buf.subarray(off, off + topicLen).toString('utf8'); off += topicLen
  const event = buf.subarray(off, off + eventLen).toString('utf8'); off += eventLen
  const metaText = buf.subarray(off, off + metaLen).toString('utf8'); off += metaLen
  const raw = buf.subarray(off)
  const userPayload = encoding === 1 ? JSON.parse(raw.toString('utf8')) : Buffer.from(raw)
  const payload = { type: 'broadcast', event, payload: userPayload }
  if (metaLen > 0) payload.meta = JSON.parse(metaText)
  return { kind, encoding, msg: { join_ref: null, ref: null, topic, event: 'broadcast', payload } }
}

// Encodes a client->server V2 binary kind-3 frame (user broadcast push).
// `payload` is a Buffer (encoding 0) or any JSON value (encoding 1).
export function encodeKind3({ joinRef = '', ref = '', topic, event, meta = '', payload, encoding }) {
  const enc = encoding ?? (Buffer.isBuffer(payload) ? 0 : 1)
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload), 'utf8')
  const parts = [joinRef, ref, topic, event, typeof meta === 'string' ? meta : JSON.stringify(meta)]
    .map((s) => Buffer.from(s, 'utf8'))
  const header = Buffer.from([3, parts[0].length, parts[1].length, parts[2].length, parts[3].length, parts[4].length, enc])
  return Buffer.concat([header, ...parts, body])
}

// Encodes a client->server V2 binary kind-0 frame (push).
export function encodeKind0({ joinRef = '', ref = '', topic, event, payload = Buffer.alloc(0) }) {
  const parts = [joinRef, ref, topic, event].map((s) => Buffer.from(s, 'utf8'))
  const header = Buffer.from([0, ...parts.map((p) => p.length)])
  return Buffer.concat([header, ...parts, payload])
}

// ---------------------------------------------------------------- frames

export function frameOf(data, isBinary, seq) {
  if (isBinary) {
    const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data)
    const decoded = decodeBinary(buf)
    return { seq, opcode: 'binary', data: buf, json: undefined, kind: decoded.kind, encoding: decoded.encoding, msg: decoded.msg }
  }
  const text = data.toString('utf8')
  let json
  try { json = JSON.parse(text) } catch { json = undefined }
  return { seq, opcode: 'text', data: text, json, msg: normalise(json) }
}

function describe(frame) {
  return frame.opcode === 'text' ? frame.data.slice(0, 300) : `<binary ${frame.data.length} bytes: ${frame.data.subarray(0, 40).toString('hex')}>`
}

// ---------------------------------------------------------------- client

export class RawClient {
  constructor(ws) {
    this.ws = ws
    this.queue = [] // frames not yet consumed by next()
    this.history = [] // every frame received, in order
    this.waiters = []
    this.seq = 0
    this.closeInfo = null
    this.closeWaiters = []
    this.errors = []
    ws.on('message', (data, isBinary) => {
      const frame = frameOf(data, isBinary, this.seq++)
      this.history.push(frame)
      this.queue.push(frame)
      this._dispatch()
    })
    ws.on('error', (e) => { this.errors.push(e) })
    ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString('utf8') }
      for (const w of this.closeWaiters.splice(0)) w(this.closeInfo)
      for (const w of this.waiters.splice(0)) w.fail(new Error(`socket closed (${code} ${this.closeInfo.reason}) while waiting for: ${w.label}`))
    })
  }

  get readyState() { return this.ws.readyState }
  get isOpen() { return this.ws.readyState === WebSocket.OPEN }

  _dispatch() {
    for (let i = 0; i < this.waiters.length; i++) {
      const w = this.waiters[i]
      const idx = this.queue.findIndex(w.predicate)
      if (idx >= 0) {
        const [frame] = this.queue.splice(idx, 1)
        this.waiters.splice(i, 1)
        i--
        w.done(frame)
      }
    }
  }

  sendText(value) {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value), { binary: false })
  }

  sendBinary(buf) {
    this.ws.send(buf, { binary: true })
  }

  // next(predicate, timeoutMs): the first frame (oldest first) that matches;
  // it is removed from the queue, frames that do not match stay queued.
  next(predicate = () => true, timeoutMs = DEFAULT_TIMEOUT_MS, label = predicate.toString()) {
    const idx = this.queue.findIndex(predicate)
    if (idx >= 0) return Promise.resolve(this.queue.splice(idx, 1)[0])
    if (this.closeInfo) {
      return Promise.reject(new Error(`socket already closed (${this.closeInfo.code}) while waiting for: ${label}\n  queued: ${this.queue.map(describe).join('\n          ')}`))
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) this.waiters.splice(i, 1)
        reject(new Error(`no matching frame within ${timeoutMs} ms for: ${label}\n  unconsumed frames: ${this.queue.length ? this.queue.map(describe).join('\n                     ') : '(none)'}`))
      }, timeoutMs)
      const waiter = {
        predicate,
        label,
        done: (f) => { clearTimeout(timer); resolve(f) },
        fail: (e) => { clearTimeout(timer); reject(e) },
      }
      this.waiters.push(waiter)
    })
  }

  // nextMsg(fields, timeoutMs): next frame whose normalised msg matches every given field.
  nextMsg(fields, timeoutMs = DEFAULT_TIMEOUT_MS) {
    return this.next((f) => f.msg && Object.entries(fields).every(([k, v]) => f.msg[k] === v), timeoutMs, JSON.stringify(fields))
  }

  // expectNoFrame(ms, predicate): fails if a matching frame is queued or arrives within ms.
  async expectNoFrame(ms = 300, predicate = () => true) {
    await new Promise((resolve) => setTimeout(resolve, ms))
    const hit = this.queue.find(predicate)
    if (hit) throw new Error(`expected no frame within ${ms} ms, got: ${describe(hit)}`)
  }

  // closed(timeoutMs): resolves {code, reason} once the connection is closed.
  closed(timeoutMs = DEFAULT_TIMEOUT_MS) {
    if (this.closeInfo) return Promise.resolve(this.closeInfo)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socket not closed within ${timeoutMs} ms`)), timeoutMs)
      this.closeWaiters.push((info) => { clearTimeout(timer); resolve(info) })
    })
  }

  pause() { this.ws.pause() }
  resume() { this.ws.resume() }

  // close(): polite close, bounded; terminates if the server does not answer.
  async close(timeoutMs = 1000) {
    if (this.closeInfo) return this.closeInfo
    try { this.ws.close(1000) } catch { /* not open yet */ }
    try {
      return await this.closed(timeoutMs)
    } catch {
      this.ws.terminate()
      return this.closed(timeoutMs)
    }
  }

  terminate() { this.ws.terminate() }
}

// connect(url, {headers, timeoutMs}) -> RawClient once open.
// A refused upgrade rejects with HandshakeRefused {status, body, headers, json}.
export function connect(url, { headers = {}, timeoutMs = DEFAULT_TIMEOUT_MS, maxPayload = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, maxPayload, handshakeTimeout: timeoutMs, perMessageDeflate: false })
    const client = new RawClient(ws) // attach listeners before any frame can arrive
    let settled = false
    const timer = setTimeout(() => finish(new Error(`WebSocket to ${url} not open within ${timeoutMs} ms`)), timeoutMs)
    function finish(err, value) {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (err) { try { ws.terminate() } catch { /* ignore */ } reject(err) } else resolve(value)
    }
    ws.on('open', () => finish(null, client))
    ws.on('unexpected-response', (req, res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        finish(new HandshakeRefused(res.statusCode, Buffer.concat(chunks).toString('utf8'), res.headers))
        req.destroy()
      })
      res.on('error', (e) => finish(e))
    })
    ws.on('error', (e) => finish(e))
  })
}

// refused(url, opts) -> HandshakeRefused; fails if the upgrade succeeds.
export async function refused(url, opts) {
  let client
  try {
    client = await connect(url, opts)
  } catch (e) {
    if (e instanceof HandshakeRefused) return e
    throw e
  }
  await client.close()
  throw new Error(`expected ${url} to be refused, but the WebSocket opened`)
}

// ---------------------------------------------------------------- protocol helpers

// Builds a client frame for the given vsn ('1.0.0' object or '2.0.0' array).
export function frame(vsn, { join_ref = null, ref = null, topic, event, payload = {} }) {
  if (vsn === '1.0.0') {
    const f = { topic, event, payload, ref }
    if (join_ref !== null && join_ref !== undefined) f.join_ref = join_ref
    return f
  }
  return [join_ref, ref, topic, event, payload]
}

// The frame the server must send for a reply, in the vsn's wire shape.
export function replyFrame(vsn, { join_ref = null, ref, topic, status = 'ok', response = {} }) {
  if (vsn === '1.0.0') return { topic, event: 'phx_reply', payload: { status, response }, ref }
  return [join_ref, ref, topic, 'phx_reply', { status, response }]
}

export function wsUrl(base, { path = '/socket/websocket', apikey, vsn, extra = {} } = {}) {
  const url = new URL(path, base)
  if (apikey !== undefined && apikey !== null) url.searchParams.set('apikey', apikey)
  if (vsn !== undefined && vsn !== null) url.searchParams.set('vsn', vsn)
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v)
  return url.toString()
}

// wire(vsn, [join_ref, ref, topic, event, payload]): the exact JSON a server
// frame must have for that vsn (V1 objects never carry join_ref).
export function wire(vsn, [join_ref, ref, topic, event, payload]) {
  if (vsn === '1.0.0') return { topic, event, payload, ref }
  return [join_ref, ref, topic, event, payload]
}
