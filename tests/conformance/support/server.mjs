// Starts the real `realtime` binary (REALTIME_BIN) for one test file.
//
// startServer({args, env}) -> {port, httpUrl, wsBase, stop(), logTail(n), proc}
// Each server listens on 127.0.0.1 and an ephemeral port unless args contain
// `--port N`. Every server started here is killed when the test process exits,
// and its recent output is printed when the process exits with a failure or
// when a guarded test fails (see guard()).
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { once } from 'node:events'
import { SECRET } from './jwt.mjs'

const START_TIMEOUT_MS = 10_000
const STOP_TIMEOUT_MS = 5_000
const LOG_LINES_KEPT = 400
const LISTEN_RE = /realtime listening on http:\/\/([0-9.]+):(\d+)/

const live = new Set() // child processes not yet reaped
const recent = [] // servers whose logs may be dumped on failure

function binary() {
  const bin = process.env.REALTIME_BIN
  if (!bin) {
    throw new Error('REALTIME_BIN is not set: point it at the built `realtime` binary ' +
      '(ctest sets it; by hand: REALTIME_BIN=build/server/realtime node --test ...)')
  }
  return bin
}

function lineCollector(stream, sink, onLine) {
  let partial = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk) => {
    partial += chunk
    const lines = partial.split('\n')
    partial = lines.pop()
    for (const line of lines) {
      sink.push(line)
      if (sink.length > LOG_LINES_KEPT) sink.shift()
      onLine?.(line)
    }
  })
  stream.on('end', () => { if (partial) sink.push(partial) })
}

// startServer({args, env}) runs the realtime binary; startServer({bin, argv, env})
// runs another program that prints the same "listening" line (an example).
export async function startServer({ args = [], env = {}, bin: otherBin, argv, prefix = [] } = {}) {
  const bin = otherBin ?? binary()
  // Defaults, each left out when `args` give that flag (a flag may appear once).
  const defaults = [
    ['--bind', '127.0.0.1'],
    ['--port', '0'],
    ['--jwt-secret', SECRET],
    ['--connect-error-backoff-ms', '0'],
    ['--channel-error-backoff-ms', '0'],
    ['--log-level', 'warn'],
  ].filter(([flag]) => !args.includes(flag))
  const fullArgs = argv ?? [...defaults.flat(), ...args]
  // `prefix` runs the binary through another command (e.g. ip netns exec).
  const command = prefix.length > 0 ? prefix[0] : bin
  const commandArgs = prefix.length > 0 ? [...prefix.slice(1), bin, ...fullArgs] : fullArgs
  const proc = spawn(command, commandArgs, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  live.add(proc)
  const lines = [] // stdout and stderr interleaved, tagged
  const server = {
    proc,
    args: fullArgs,
    exited: false,
    exitInfo: null,
    logTail(n = 50) { return lines.slice(-n).join('\n') },
  }
  recent.push(server)

  let resolveListen
  let rejectListen
  const listening = new Promise((resolve, reject) => { resolveListen = resolve; rejectListen = reject })
  const out = []
  const err = []
  lineCollector(proc.stdout, out, (line) => {
    lines.push(`[out] ${line}`)
    if (lines.length > LOG_LINES_KEPT) lines.shift()
    const m = LISTEN_RE.exec(line)
    if (m) resolveListen({ host: m[1], port: Number(m[2]) })
  })
  lineCollector(proc.stderr, err, (line) => {
    lines.push(`[err] ${line}`)
    if (lines.length > LOG_LINES_KEPT) lines.shift()
  })
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      server.exited = true
      server.exitInfo = { code, signal }
      live.delete(proc)
      rejectListen(new Error(`realtime exited before listening (code ${code}, signal ${signal})`))
      resolve({ code, signal })
    })
  })
  proc.on('error', (e) => rejectListen(new Error(`cannot spawn ${bin}: ${e.message}`)))

  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`realtime did not print its listening line within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS)
  })
  let port
  let host
  try {
    ({ host, port } = await Promise.race([listening, timeout]))
  } catch (e) {
    killNow(proc)
    e.message += `\n  command: ${bin} ${fullArgs.join(' ')}\n  --- last output ---\n${server.logTail(50)}`
    throw e
  } finally {
    clearTimeout(timer)
  }

  server.port = port
  server.host = host
  server.httpUrl = `http://${host}:${port}`
  server.wsBase = `ws://${host}:${port}`
  server.exitedPromise = exited
  server.stop = async () => {
    if (server.exited) return server.exitInfo
    proc.kill('SIGTERM')
    let t
    const res = await Promise.race([
      exited,
      new Promise((resolve) => { t = setTimeout(() => resolve(null), STOP_TIMEOUT_MS) }),
    ])
    clearTimeout(t)
    if (res) return res
    proc.kill('SIGKILL')
    return exited
  }
  return server
}

function killNow(proc) {
  try { proc.kill('SIGKILL') } catch { /* already gone */ }
}

// Prints the last lines of every server started by this process.
export function dumpServerLogs(n = 50) {
  for (const s of recent) {
    const state = s.exited ? `exited ${JSON.stringify(s.exitInfo)}` : 'running'
    process.stderr.write(`\n--- realtime ${s.port ?? '?'} (${state}) last ${n} lines ---\n${s.logTail(n)}\n--- end ---\n`)
  }
}

// guard(fn): wraps a test body so that a failure prints the servers' recent output.
export function guard(fn) {
  return async (t) => {
    try {
      return await fn(t)
    } catch (e) {
      dumpServerLogs(50)
      throw e
    }
  }
}

// A free TCP port on 127.0.0.1 (for tests that need to restart on the same port).
export async function freePort() {
  const srv = createServer()
  srv.listen(0, '127.0.0.1')
  await once(srv, 'listening')
  const { port } = srv.address()
  srv.close()
  await once(srv, 'close')
  return port
}

process.on('exit', () => {
  for (const proc of live) killNow(proc)
})
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    for (const proc of live) killNow(proc)
    process.exit(130)
  })
}
