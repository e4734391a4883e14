// Tokens signed with public keys from a configured JWKS (API_JWT_JWKS or
// --jwt-jwks-file): RS256, ES256 and EdDSA tokens made with node:crypto, the
// kid rules at connect and join, refresh with setAuth, and the refusals.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync, sign as cryptoSign, createHmac } from 'node:crypto'
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { startServer, guard } from './support/server.mjs'
import { refused, wsUrl } from './support/raw.mjs'
import { openSession, joinPayload } from './support/session.mjs'
import { nowSec, SECRET } from './support/jwt.mjs'
import { rtClient, subscribe, collectBroadcasts, disconnectAll, withTimeout } from './support/clients.mjs'

const b64u = (v) => Buffer.from(v).toString('base64url')

// Key pairs and the token each signs, independent of the server's JWT code.
const KEYS = {
  'rsa-1': { alg: 'RS256', pair: generateKeyPairSync('rsa', { modulusLength: 2048 }) },
  'ec-1': { alg: 'ES256', pair: generateKeyPairSync('ec', { namedCurve: 'P-256' }) },
  'ed-1': { alg: 'EdDSA', pair: generateKeyPairSync('ed25519') },
}
const STRANGER = generateKeyPairSync('rsa', { modulusLength: 2048 })
const OCT = 'an-oct-key-for-kid-hs-1-with-32-bytes-or-more'

function jwks() {
  const keys = Object.entries(KEYS).map(([kid, { pair }]) => ({ ...pair.publicKey.export({ format: 'jwk' }), kid }))
  keys.push({ kty: 'oct', kid: 'hs-1', k: b64u(OCT) })
  return JSON.stringify({ keys })
}

function signed(alg, kid, claims, privateKey) {
  const header = { alg, typ: 'JWT', ...(kid === undefined ? {} : { kid }) }
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`
  let sig
  if (alg.startsWith('HS')) sig = createHmac('sha256', privateKey).update(input).digest()
  else if (alg === 'EdDSA') sig = cryptoSign(null, Buffer.from(input), privateKey)
  else if (alg === 'ES256') sig = cryptoSign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
  else sig = cryptoSign('sha256', Buffer.from(input), privateKey)
  return `${input}.${b64u(sig)}`
}

const claims = (extra = {}) => ({ role: 'authenticated', sub: 'user-1', iat: nowSec(), exp: nowSec() + 3600, ...extra })
const tokenFor = (kid, extra) => signed(KEYS[kid].alg, kid, claims(extra), KEYS[kid].pair.privateKey)

let server
let dir
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rt-jwks-'))
  writeFileSync(join(dir, 'jwks.json'), jwks())
  server = await startServer({ args: ['--jwt-jwks-file', join(dir, 'jwks.json'), '--max-joins-per-second', '100000'] })
})
after(async () => { await server?.stop(); rmSync(dir, { recursive: true, force: true }) })

let topicN = 0
const freshTopic = (name) => `realtime:${name}-${process.pid}-${++topicN}`

describe('public-key tokens', () => {
  for (const kid of Object.keys(KEYS)) {
    test(`a ${KEYS[kid].alg} token connects and joins (kid ${kid})`, guard(async () => {
      const s = await openSession(server, { apikey: tokenFor(kid) })
      try {
        await s.join(freshTopic(kid))
        await s.heartbeat()
      } finally { await s.close() }
    }))
  }

  test('realtime-js connects with an ES256 token, refreshes to an EdDSA one with setAuth, and keeps broadcasting', guard(async () => {
    const topic = freshTopic('setauth').slice('realtime:'.length)
    const a = rtClient(server, { apikey: tokenFor('ec-1') })
    const b = rtClient(server, { apikey: tokenFor('rsa-1') })
    try {
      const ca = a.channel(topic, { config: { broadcast: { self: false } } })
      const cb = b.channel(topic, { config: { broadcast: { self: false } } })
      const inbox = collectBroadcasts(cb, 'hi')
      await subscribe(ca)
      await subscribe(cb)
      await a.setAuth(tokenFor('ed-1'))
      assert.equal(await ca.send({ type: 'broadcast', event: 'hi', payload: { n: 1 } }), 'ok')
      const [got] = await inbox.until(1)
      assert.deepEqual(got.payload, { n: 1 })
      assert.equal(ca.state, 'joined')
    } finally { await disconnectAll(a, b) }
  }))

  test('an HS256 token naming the oct key is checked with that key, not the secret', guard(async () => {
    const good = signed('HS256', 'hs-1', claims(), OCT)
    const s = await openSession(server, { apikey: good })
    try { await s.join(freshTopic('oct')) } finally { await s.close() }
    const e = await refused(wsUrl(server.wsBase, { apikey: signed('HS256', 'hs-1', claims(), SECRET), vsn: '2.0.0' }))
    assert.equal(e.status, 401)
    assert.deepEqual(e.json, { error: 'Failed to validate JWT signature' })
  }))
})

describe('refusals', () => {
  const cases = [
    ['an unknown kid', () => signed('RS256', 'nope', claims(), STRANGER.privateKey),
      'Failed to generate JWT signer for key ID (kid) "nope", check your JWT secret or JWKS configuration'],
    ['an RS256 token without a kid', () => signed('RS256', undefined, claims(), KEYS['rsa-1'].pair.privateKey),
      'Failed to generate JWT signer, check your JWT secret or JWKS configuration'],
    ['alg none', () => `${b64u(JSON.stringify({ alg: 'none', kid: 'rsa-1' }))}.${b64u(JSON.stringify(claims()))}.`,
      'Failed to generate JWT signer, check your JWT secret or JWKS configuration'],
    ['a signature by another key under a known kid', () => signed('RS256', 'rsa-1', claims(), STRANGER.privateKey),
      'Failed to validate JWT signature'],
    ['HS256 signed with the RSA public key as the secret (key confusion)',
      () => signed('HS256', 'rsa-1', claims(), KEYS['rsa-1'].pair.publicKey.export({ format: 'pem', type: 'spki' })),
      'Failed to validate JWT signature'],
    ['a tampered payload', () => {
      const [h, , s] = tokenFor('ec-1').split('.')
      return `${h}.${b64u(JSON.stringify(claims({ role: 'service_role' })))}.${s}`
    }, 'Failed to validate JWT signature'],
    ['an expired token', () => tokenFor('ed-1', { exp: nowSec() - 30 }), 'Token has expired'],
    ['a token without role', () => signed('EdDSA', 'ed-1', { exp: nowSec() + 60 }, KEYS['ed-1'].pair.privateKey),
      'Fields `role` and `exp` are required in JWT'],
  ]
  for (const [name, make, message] of cases) {
    test(`connect: ${name} -> 401`, guard(async () => {
      const e = await refused(wsUrl(server.wsBase, { apikey: make(), vsn: '2.0.0' }))
      assert.equal(e.status, 401)
      assert.deepEqual(e.json, { error: message })
    }))
  }

  test('connect: a token not valid yet (nbf in the future) is refused', guard(async () => {
    const e = await refused(wsUrl(server.wsBase, { apikey: tokenFor('rsa-1', { nbf: nowSec() + 600 }), vsn: '2.0.0' }))
    assert.equal(e.status, 500)
    assert.deepEqual(e.json, { error: 'Error connecting to Realtime' })
  }))

  test('join: an access_token with an unknown kid is refused with JwtSignerError naming it', guard(async () => {
    const s = await openSession(server, { apikey: tokenFor('rsa-1') })
    try {
      const topic = freshTopic('join-kid')
      const ref = s.nextRef()
      s.send([ref, ref, topic, 'phx_join', joinPayload({ access_token: signed('ES256', 'gone', claims(), KEYS['ec-1'].pair.privateKey) })])
      const f = await s.c.next((x) => x.msg?.event === 'phx_reply', 3000, 'join reply')
      assert.deepEqual(f.msg.payload, { status: 'error', response: { reason: 'JwtSignerError: Failed to generate JWT signer for key ID (kid) "gone", check your JWT secret or JWKS configuration' } })
    } finally { await s.close() }
  }))

  test('access_token event: a token with an unknown kid ends the channel with a system error', guard(async () => {
    const s = await openSession(server, { apikey: tokenFor('rsa-1') })
    try {
      const topic = freshTopic('refresh-kid')
      const jr = await s.join(topic)
      s.send([jr, s.nextRef(), topic, 'access_token', { access_token: signed('RS256', 'gone', claims(), STRANGER.privateKey) }])
      const sys = await s.c.next((x) => x.msg?.event === 'system', 3000, 'system error')
      assert.deepEqual(sys.msg.payload, { extension: 'system', status: 'error', message: 'Failed to generate JWT signer for key ID (kid) "gone", check your JWT secret or JWKS configuration', channel: topic.slice('realtime:'.length) })
      await s.c.next((x) => x.msg?.event === 'phx_close', 3000, 'phx_close')
      await s.heartbeat()
    } finally { await s.close() }
  }))
})

describe('configuration', () => {
  const bin = () => process.env.REALTIME_BIN
  const run = (args, env = {}) => spawnSync(bin(), ['--bind', '127.0.0.1', '--port', '0', ...args],
    { env: { ...process.env, API_JWT_SECRET: '', JWT_SECRET: '', ...env }, encoding: 'utf8', timeout: 10000 })

  test('an invalid JWKS stops the server at startup with the reason', () => {
    const r = run(['--jwt-jwks', '{"keys":[{"kty":"EC","kid":"bad","crv":"P-256","x":"AA","y":"AA"}]}'])
    assert.notEqual(r.status, 0)
    assert.match(r.stderr + r.stdout, /JWKS: key 0 \(kid "bad"\): EC key needs "x" and "y" of the curve's size/)
  })

  test('no secret and no JWKS stops the server at startup', () => {
    const r = run([])
    assert.notEqual(r.status, 0)
    assert.match(r.stderr + r.stdout, /no JWT secret nor JWKS/)
  })

  test('a JWKS alone is enough (API_JWT_JWKS)', guard(async () => {
    const only = await startServer({ argv: ['--bind', '127.0.0.1', '--port', '0', '--log-level', 'warn'], env: { API_JWT_SECRET: '', JWT_SECRET: '', API_JWT_JWKS: jwks() } })
    try {
      const s = await openSession(only, { apikey: tokenFor('ed-1') })
      try { await s.join(freshTopic('jwks-only')) } finally { await s.close() }
      const e = await refused(wsUrl(only.wsBase, { apikey: signed('HS256', undefined, claims(), SECRET), vsn: '2.0.0' }))
      assert.equal(e.status, 401)
      assert.deepEqual(e.json, { error: 'Failed to generate JWT signer, check your JWT secret or JWKS configuration' })
    } finally { await only.stop() }
  }))
})
