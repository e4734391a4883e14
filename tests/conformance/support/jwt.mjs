// HS256/384/512 JWTs for the conformance suite, built with node:crypto only so
// that they are independent from the server's own JWT code.
import { createHmac } from 'node:crypto'

export const SECRET = 'conformance-secret-at-least-32-bytes-long!!'

const HASHES = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }
const b64u = (value) => Buffer.from(value).toString('base64url')

// sign(claims, secret, alg): a compact JWS. For an alg that is not HMAC the
// signature is junk; the server must refuse the alg before checking it.
export function sign(claims, secret = SECRET, alg = 'HS256', extraHeader = {}) {
  const input = `${b64u(JSON.stringify({ alg, typ: 'JWT', ...extraHeader }))}.${b64u(JSON.stringify(claims))}`
  const hash = HASHES[alg]
  const sig = hash ? createHmac(hash, secret).update(input).digest('base64url') : b64u('not-a-signature')
  return `${input}.${sig}`
}

export const nowSec = () => Math.floor(Date.now() / 1000)

// token({role, expIn, ...claims}): a valid token for the suite secret unless overridden.
export function token({ role = 'anon', expIn = 3600, secret = SECRET, alg = 'HS256', ...claims } = {}) {
  return sign({ role, iat: nowSec(), exp: nowSec() + expIn, ...claims }, secret, alg)
}
