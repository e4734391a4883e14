// PostgreSQL helpers for the postgres_*.test.mjs files. They talk to the
// shared test cluster (CTest fixture `pg`: port in RT_TEST_PGPORT, directory
// in RT_TEST_PGDIR) with the psql binary, user postgres, trust auth on
// 127.0.0.1. Every call is bounded by a timeout.
//
//   if (!pgAvailable()) skip
//   const db = await freshDatabase('pc')        // own database + publication
//   await sql(db, 'create table t (id int primary key)')
//   const server = await startServer({ args: serverArgs(db, slotName(db)) })
//   ...
//   await dropDatabase(db)                      // drops its inactive slots too
import { execFile, spawn } from 'node:child_process'
import { join } from 'node:path'

export const PUBLICATION = 'supabase_realtime'
const SQL_TIMEOUT_MS = 30_000

export const pgPort = () => process.env.RT_TEST_PGPORT
export const pgDir = () => process.env.RT_TEST_PGDIR
export const pgAvailable = () => Boolean(process.env.RT_TEST_PGPORT)
// For node:test: `test(name, { skip: pgSkip }, fn)`.
export const pgSkip = pgAvailable() ? false : 'RT_TEST_PGPORT is not set (needs the CTest fixture pg)'

export function pgBinDir() {
  return process.env.PG_BINDIR || '/usr/lib/postgresql/15/bin'
}

function psqlArgs(db, extra = []) {
  return ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(pgPort()), '-U', 'postgres', '-d', db, ...extra]
}

const psqlEnv = (options = '') => ({ ...process.env, PGCONNECT_TIMEOUT: '10', PGOPTIONS: options })

// sql(db, text, {timeoutMs, options}) -> stdout (trimmed). Rejects with
// psql's stderr. `options` become PGOPTIONS (e.g. '-c TimeZone=UTC').
export function sql(db, text, { timeoutMs = SQL_TIMEOUT_MS, options = '' } = {}) {
  return new Promise((resolve, reject) => {
    execFile(join(pgBinDir(), 'psql'), psqlArgs(db, ['-c', text]),
      { timeout: timeoutMs, killSignal: 'SIGKILL', env: psqlEnv(options), maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          const why = err.killed ? `timed out after ${timeoutMs} ms` : `exit ${err.code}`
          reject(new Error(`psql ${db} (${why}): ${stderr.trim() || err.message}\n  sql: ${text.slice(0, 400)}`))
        } else {
          resolve(stdout.replace(/\n$/, ''))
        }
      })
  })
}

// sqlBackground(db, text): a psql running `text` (e.g. a long batch) in the
// background. Returns {proc, done} where done resolves {code, signal, stderr}.
export function sqlBackground(db, text, { timeoutMs = 120_000 } = {}) {
  const proc = spawn(join(pgBinDir(), 'psql'), psqlArgs(db, ['-f', '-']), { env: psqlEnv(), stdio: ['pipe', 'ignore', 'pipe'] })
  let stderr = ''
  proc.stderr.setEncoding('utf8')
  proc.stderr.on('data', (c) => { stderr += c })
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs)
  const done = new Promise((resolve) => {
    proc.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stderr }) })
    proc.on('error', (e) => { clearTimeout(timer); resolve({ code: -1, signal: null, stderr: e.message }) })
  })
  proc.stdin.on('error', () => {}) // psql may exit (e.g. the server went away) before reading it all
  proc.stdin.end(text)
  return { proc, done }
}

let dbN = 0
// A database name unique to this process and call: <prefix>_<pid>_<n>.
export function uniqueName(prefix) {
  return `${prefix}_${process.pid}_${++dbN}`.toLowerCase().replace(/[^a-z0-9_]/g, '_')
}

// freshDatabase(prefix) -> name of a new database with the publication
// supabase_realtime (no tables) and the Supabase roles' usual privileges.
export async function freshDatabase(prefix = 'rt') {
  const db = uniqueName(prefix)
  await sql('postgres', `create database ${db}`)
  await sql(db, `
    create publication ${PUBLICATION};
    grant usage on schema public to anon, authenticated, service_role;
    alter default privileges in schema public grant select on tables to anon, authenticated, service_role;`)
  return db
}

// Drops the inactive replication slots of `db` (not one in use).
export async function dropSlots(db) {
  await sql('postgres', `select count(pg_drop_replication_slot(slot_name)) from pg_replication_slots where database = '${db}' and not active`)
}

// dropDatabase(db): its slots (waiting a little for a walsender that is
// still going away), then the database (terminating leftover sessions).
export async function dropDatabase(db, { timeoutMs = 15_000 } = {}) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    await dropSlots(db)
    const left = Number(await sql('postgres', `select count(*) from pg_replication_slots where database = '${db}'`))
    if (left === 0) break
    if (Date.now() > deadline) {
      await sql('postgres', `select pg_terminate_backend(active_pid) from pg_replication_slots where database = '${db}' and active_pid is not null`)
      await new Promise((r) => setTimeout(r, 500))
      await dropSlots(db)
      break
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  await sql('postgres', `drop database if exists ${db} with (force)`)
}

// The realtime options that point a server at `db` with slot `slot` (and
// `<slot>_messages` for database broadcast: slot names are cluster-wide).
export function serverArgs(db, slot, { publication = PUBLICATION, extra = [] } = {}) {
  return [
    '--db-host', '127.0.0.1', '--db-port', String(pgPort()), '--db-name', db, '--db-user', 'postgres',
    '--slot-name', slot, '--messages-slot-name', `${slot}_messages`, '--publication', publication, ...extra,
  ]
}

// SQL string literal.
export const lit = (s) => `'${String(s).replace(/'/g, "''")}'`

// until(what, check, ms): polls the async `check` until it returns a truthy
// value (which it resolves to); throws after `ms`.
export async function until(what, check, ms = 15_000, every = 100) {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await check()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`)
    await new Promise((r) => setTimeout(r, every))
  }
}
