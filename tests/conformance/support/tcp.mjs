// Hand-made WebSocket frames over a plain TCP socket, for protocol violations
// that `ws` refuses to produce (RSV bits, reserved opcodes, invalid UTF-8).
//
//   const s = await rawUpgrade(port, '/socket/websocket?apikey=...&vsn=2.0.0')
//   s.write(wsFrame({opcode: 1, payload: Buffer.from('x'), rsv1: true}))
//   const {code} = await s.closeFrame(3000)   // server close frame, or {code: null, reset: true}
import { connect as netConnect } from 'node:net'
import { randomBytes } from 'node:crypto'

// wsFrame({fin, rsv1, rsv2, rsv3, opcode, payload, mask}): one client frame (masked by default).
export function wsFrame({ fin = true, rsv1 = false, rsv2 = false, rsv3 = false, opcode = 1, payload = Buffer.alloc(0), mask = true }) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8')
  const b0 = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (rsv2 ? 0x20 : 0) | (rsv3 ? 0x10 : 0) | (opcode & 0x0f)
  let lenBytes
  if (data.length < 126) {
    lenBytes = Buffer.from([(mask ? 0x80 : 0) | data.length])
  } else if (data.length < 65536) {
    lenBytes = Buffer.alloc(3)
    lenBytes[0] = (mask ? 0x80 : 0) | 126
    lenBytes.writeUInt16BE(data.length, 1)
  } else {
    lenBytes = Buffer.alloc(9)
    lenBytes[0] = (mask ? 0x80 : 0) | 127
    lenBytes.writeBigUInt64BE(BigInt(data.length), 1)
  }
  if (!mask) return Buffer.concat([Buffer.from([b0]), lenBytes, data])
  const key = randomBytes(4)
  const masked = Buffer.alloc(data.length)
  for (let i = 0; i < data.length; i++) masked[i] = data[i] ^ key[i & 3]
  return Buffer.concat([Buffer.from([b0]), lenBytes, key, masked])
}

// Parses server->client frames (unmasked) out of a byte stream.
function parseFrames(buf) {
  const frames = []
  let off = 0
  while (buf.length - off >= 2) {
    const b0 = buf[off]
    const b1 = buf[off + 1]
    let len = b1 & 0x7f
    let hdr = 2
    if (len === 126) {
      if (buf.length - off < 4) break
      len = buf.readUInt16BE(off + 2); hdr = 4
    } else if (len === 127) {
      if (buf.length - off < 10) break
      len = Number(buf.readBigUInt64BE(off + 2)); hdr = 10
    }
    if (b1 & 0x80) hdr += 4 // servers must not mask, but skip a key if they do
    if (buf.length - off < hdr + len) break
    frames.push({ fin: !!(b0 & 0x80), opcode: b0 & 0x0f, payload: buf.subarray(off + hdr, off + hdr + len) })
    off += hdr + len
  }
  return { frames, rest: buf.subarray(off) }
}

export function rawUpgrade(port, path, { headers = {}, timeoutMs = 3000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = netConnect({ host: '127.0.0.1', port })
    const key = randomBytes(16).toString('base64')
    let buf = Buffer.alloc(0)
    let upgraded = false
    const frames = []
    const waiters = []
    let ended = false
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`raw upgrade not answered within ${timeoutMs} ms`)) }, timeoutMs)

    const api = {
      socket: sock,
      frames,
      write(bytes) { sock.write(bytes) },
      // Resolves the server's close frame as {code, reason}, or {code: null, reset: true}
      // if the TCP connection ends without one.
      closeFrame(ms = 3000) {
        return new Promise((res, rej) => {
          const check = () => {
            const cf = frames.find((f) => f.opcode === 8)
            if (cf) {
              const code = cf.payload.length >= 2 ? cf.payload.readUInt16BE(0) : 1005
              res({ code, reason: cf.payload.subarray(2).toString('utf8') })
              return true
            }
            if (ended) { res({ code: null, reset: true }); return true }
            return false
          }
          if (check()) return
          const t = setTimeout(() => rej(new Error(`no close frame within ${ms} ms; frames: ${frames.map((f) => f.opcode).join(',')}`)), ms)
          waiters.push(() => { if (check()) { clearTimeout(t); return true } return false })
        })
      },
      destroy() { sock.destroy() },
    }
    const poke = () => { for (let i = 0; i < waiters.length; i++) if (waiters[i]()) { waiters.splice(i, 1); i-- } }

    sock.on('connect', () => {
      const lines = [
        `GET ${path} HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${key}`,
        'Sec-WebSocket-Version: 13',
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
        '', '',
      ]
      sock.write(lines.join('\r\n'))
    })
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk])
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = buf.subarray(0, end).toString('latin1')
        buf = buf.subarray(end + 4)
        const status = Number(head.split(' ')[1])
        clearTimeout(timer)
        if (status !== 101) {
          sock.destroy()
          reject(new Error(`raw upgrade refused: ${head.split('\r\n')[0]}`))
          return
        }
        upgraded = true
        resolve(api)
      }
      const { frames: fs, rest } = parseFrames(buf)
      buf = Buffer.from(rest)
      frames.push(...fs)
      poke()
    })
    sock.on('error', () => { /* reset: reported through 'close' */ })
    sock.on('close', () => { ended = true; clearTimeout(timer); if (!upgraded) reject(new Error('connection closed before upgrade')); poke() })
  })
}
