// Postgres Changes under row level security, with the real realtime-js
// client (vsn 1.0.0 and 2.0.0) against the real server and PostgreSQL 15
// (CTest fixture `pg`). Each INSERT and UPDATE of a table with RLS reaches a
// subscriber only when its role and claims can select the row at the time of
// the check (Supabase's rule, spec 6.3); DELETE is not checked and carries
// only the primary key. The matrix:
//   todos     RLS, owner = the claims' sub (authenticated), REPLICA IDENTITY FULL
//   fragile   RLS, the policy divides by zero for sub mallory
//   notes     no RLS
// alice and bob are role authenticated with claim sub, anon has no policy,
// service_role bypasses RLS. Every test asserts what arrives and, after a
// marker or a quiet period, what must not.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, guard } from './support/server.mjs'
import { VSNS } from './support/session.mjs'
import { rtClient, disconnectAll, deferred, withTimeout } from './support/clients.mjs'
import { token } from './support/jwt.mjs'
import { pgSkip, sql, freshDatabase, dropDatabase, serverArgs, uniqueName } from './support/pg.mjs'

const WAIT_MS = 8000
const QUIET_MS = 500
const SUBSCRIBED = 'Subscribed to PostgreSQL'
const CHECK_FAILED = 'Unable to check row level security for this subscription, so changes were not delivered: '

let db
let server
const clients = []
let topicN = 0
const fresh = (name) => `${name}-${process.pid}-${++topicN}`
let idN = 100
const nextId = () => ++idN

const TOKENS = {
  alice: () => token({ role: 'authenticated', sub: 'alice' }),
  bob: () => token({ role: 'authenticated', sub: 'bob' }),
  mallory: () => token({ role: 'authenticated', sub: 'mallory' }),
  anon: () => token({ role: 'anon' }),
  service: () => token({ role: 'service_role' }),
}

before(async () => {
  if (pgSkip) return
  db = await freshDatabase('pcrlsm')
  await sql(db, `
    create table todos (id int primary key, owner text, v text);
    alter table todos enable row level security;
    alter table todos replica identity full;
    create policy own on todos for select to authenticated
      using (owner = current_setting('request.jwt.claims', true)::jsonb ->> 'sub');
    create table fragile (id int primary key, owner text);
    alter table fragile enable row level security;
    create policy fragile on fragile for select to authenticated
      using (case when current_setting('request.jwt.claims', true)::jsonb ->> 'sub' = 'mallory'
                  then 1 / (length(owner) - length(owner)) = 1 else true end);
    create table notes (id int primary key, v text);
    alter publication supabase_realtime add table todos, fragile, notes;`)
  server = await startServer({ args: [...serverArgs(db, uniqueName('pcrlsm_slot')), '--max-joins-per-second', '100000'] })
})

after(async () => {
  await disconnectAll(clients)
  await server?.stop()
  if (db) await dropDatabase(db)
})

// A realtime-js channel of `who` with `bindings`; resolves once the server
// said "Subscribed to PostgreSQL". `changes` holds [table, type, new, old]
// in arrival order, `system` every system message.
async function subscriber(who, bindings, { vsn = '2.0.0' } = {}) {
  const client = rtClient(server, { vsn, apikey: TOKENS[who]() })
  clients.push(client)
  const channel = client.channel(fresh(who))
  const changes = []
  const system = []
  const waiters = []
  const poke = () => { for (let i = 0; i < waiters.length; i++) if (waiters[i]()) { waiters.splice(i, 1); i-- } }
  for (const b of bindings)
    channel.on('postgres_changes', b, (p) => { changes.push([p.table, p.eventType, p.new, p.old]); poke() })
  channel.on('system', {}, (m) => { system.push(m); poke() })
  const until = (pred, what) => {
    const d = deferred()
    const w = () => { if (pred()) { d.resolve(); return true } return false }
    if (!w()) waiters.push(w)
    return withTimeout(d.promise, WAIT_MS, `${who}: ${what}; changes ${JSON.stringify(changes)}; system ${JSON.stringify(system)}`)
  }
  const joined = deferred()
  channel.subscribe((status, err) => {
    if (status === 'SUBSCRIBED') joined.resolve()
    else joined.reject(new Error(`${who}: ${status}${err ? ` (${err.message})` : ''}`))
  })
  await withTimeout(joined.promise, WAIT_MS, `${who} joins`)
  await until(() => system.some((m) => m.message === SUBSCRIBED), SUBSCRIBED)
  return {
    changes,
    system,
    // Resolves once a change satisfying pred arrived.
    got: (pred, what) => until(() => changes.some(pred), what),
    // Resolves once at least n changes arrived.
    count: (n) => until(() => changes.length >= n, `${n} changes`),
    errors: () => system.filter((m) => m.status === 'error'),
  }
}

const quiet = () => new Promise((r) => setTimeout(r, QUIET_MS))
const all = { event: '*', schema: 'public', table: 'todos' }
const isDelete = (id) => (c) => c[1] === 'DELETE' && c[3].id === id

describe('row level security decides per row and subscriber', { skip: pgSkip }, () => {
  for (const vsn of VSNS) {
    test(`alice and bob get their own rows, anon none, service_role all; DELETE carries the key only (vsn ${vsn})`, guard(async () => {
      const [alice, bob, anon, service] = await Promise.all(
        ['alice', 'bob', 'anon', 'service'].map((who) => subscriber(who, [all], { vsn })))
      const a = nextId(); const b = nextId()
      await sql(db, `insert into todos values (${a}, 'alice', 'a1'); insert into todos values (${b}, 'bob', 'b1')`)
      await alice.got((c) => c[1] === 'INSERT' && c[2].id === a, 'her insert')
      await bob.got((c) => c[1] === 'INSERT' && c[2].id === b, 'his insert')
      await service.count(2)
      await sql(db, `update todos set v = 'a2' where id = ${a}`)
      await alice.got((c) => c[1] === 'UPDATE' && c[2].v === 'a2', 'her update')
      // Out of alice's sight, into bob's: the check runs as the row is now.
      await sql(db, `update todos set owner = 'bob', v = 'a3' where id = ${a}`)
      await bob.got((c) => c[1] === 'UPDATE' && c[2].v === 'a3', 'the row given to him')
      // A DELETE reaches everybody (it cannot be checked), with the key only
      // although the identity is FULL: the marker that everything before it
      // was delivered or dropped for each of them.
      await sql(db, `delete from todos where id = ${b}`)
      await Promise.all([alice, bob, anon, service].map((s) => s.got(isDelete(b), 'the delete')))
      await quiet()
      const del = ['todos', 'DELETE', {}, { id: b }]
      assert.deepEqual(alice.changes, [
        ['todos', 'INSERT', { id: a, owner: 'alice', v: 'a1' }, {}],
        ['todos', 'UPDATE', { id: a, owner: 'alice', v: 'a2' }, { id: a, owner: 'alice', v: 'a1' }],
        del])
      assert.deepEqual(bob.changes, [
        ['todos', 'INSERT', { id: b, owner: 'bob', v: 'b1' }, {}],
        ['todos', 'UPDATE', { id: a, owner: 'bob', v: 'a3' }, { id: a, owner: 'alice', v: 'a2' }],
        del])
      assert.deepEqual(anon.changes, [del])
      assert.deepEqual(service.changes.map((c) => [c[1], c[2].id ?? c[3].id]),
        [['INSERT', a], ['INSERT', b], ['UPDATE', a], ['UPDATE', a], ['DELETE', b]])
      assert.deepEqual(service.changes[4], del)
      for (const s of [alice, bob, anon, service]) assert.deepEqual(s.errors(), [])
    }))
  }

  test('many subscribers with the same claims share checks and each gets every visible row', guard(async () => {
    const alices = await Promise.all([1, 2, 3].map(() => subscriber('alice', [all])))
    const ids = Array.from({ length: 20 }, () => nextId())
    await sql(db, ids.map((id, i) => `insert into todos values (${id}, '${i % 2 ? 'alice' : 'carol'}', 'x')`).join(';'))
    const mine = ids.filter((_, i) => i % 2)
    const last = ids[ids.length - 1]
    await sql(db, `delete from todos where id = ${last}`)
    for (const s of alices) {
      await s.got(isDelete(last), 'the delete')
      assert.deepEqual(s.changes.filter((c) => c[1] === 'INSERT').map((c) => c[2].id), mine)
    }
  }))
})

describe('failures stay with their identity', { skip: pgSkip }, () => {
  test('a policy failing for mallory tells her and drops her rows; alice keeps receiving; mallory keeps other tables', guard(async () => {
    const fragileAll = { event: '*', schema: 'public', table: 'fragile' }
    const notesAll = { event: 'INSERT', schema: 'public', table: 'notes' }
    const mallory = await subscriber('mallory', [fragileAll, notesAll])
    const alice = await subscriber('alice', [fragileAll])
    const f1 = nextId(); const n1 = nextId(); const f2 = nextId()
    await sql(db, `insert into fragile values (${f1}, 'x')`)
    await sql(db, `insert into notes values (${n1}, 'still here')`)
    await sql(db, `insert into fragile values (${f2}, 'y')`)
    await alice.got((c) => c[2].id === f2, 'the second row')
    await mallory.got((c) => c[2].id === n1, 'the notes row after the failed check')
    await mallory.got(() => mallory.errors().length >= 1, "an error for the failed check")
    await quiet()
    assert.deepEqual(alice.changes.map((c) => c[2].id), [f1, f2])
    assert.deepEqual(alice.errors(), [])
    assert.deepEqual(mallory.changes.map((c) => [c[0], c[2].id]), [['notes', n1]])
    for (const e of mallory.errors()) {
      assert.equal(e.extension, 'postgres_changes')
      assert.ok(e.message.startsWith(`${CHECK_FAILED}ERROR 22012 (division_by_zero) division by zero`), e.message)
    }
  }))
})

describe('a table with RLS next to one without, on one channel', { skip: pgSkip }, () => {
  for (const vsn of VSNS) {
    test(`bob gets notes and his rows in commit order, never alice's (vsn ${vsn})`, guard(async () => {
      const bob = await subscriber('bob', [all, { event: 'INSERT', schema: 'public', table: 'notes' }], { vsn })
      const hidden = nextId(); const n1 = nextId(); const his = nextId(); const n2 = nextId()
      await sql(db, `insert into todos values (${hidden}, 'alice', 'h')`)
      await sql(db, `insert into notes values (${n1}, 'one')`)
      await sql(db, `insert into todos values (${his}, 'bob', 'b')`)
      await sql(db, `insert into notes values (${n2}, 'two')`)
      await bob.got((c) => c[2].id === n2, 'the last note')
      await quiet()
      assert.deepEqual(bob.changes.map((c) => [c[0], c[2].id]), [['notes', n1], ['todos', his], ['notes', n2]])
    }))
  }
})
