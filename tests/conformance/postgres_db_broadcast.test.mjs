// Database broadcast: rows inserted into realtime.messages (realtime.send,
// realtime.send_binary, realtime.broadcast_changes in a trigger) reach the
// channels of their topic as broadcasts with meta.id, private rows only
// private channels and public rows only public ones.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, guard } from './support/server.mjs'
import { sql, pgSkip, freshDatabase, dropDatabase, serverArgs, uniqueName, until } from './support/pg.mjs'
import { token } from './support/jwt.mjs'
import { openSession, joinPayload } from './support/session.mjs'
import { rtClient, subscribe, collectBroadcasts, disconnectAll, withTimeout } from './support/clients.mjs'

let db
let server
let messagesSlot
// Slots are cluster-wide, and other tests' servers stream theirs meanwhile.
// A slot is active while it is being created too (creation waits for every
// running transaction of the cluster); confirmed_flush_lsn is set once it is
// ready.
const slotActive = async (name) =>
  (await sql(db, `select count(*) from pg_replication_slots where slot_name = '${name}' and active and confirmed_flush_lsn is not null`)) === '1'
let topicN = 0
const fresh = (prefix) => `${prefix}-${process.pid}-${++topicN}`
const service = () => token({ role: 'service_role' })

before(async () => {
  if (pgSkip) return
  db = await freshDatabase('dbbroadcast')
  const slot = uniqueName('slot')
  messagesSlot = `${slot}_messages`
  server = await startServer({ args: serverArgs(db, slot) })
  await until('the realtime schema', async () =>
    (await sql(db, "select count(*) from pg_inherits where inhparent = to_regclass('realtime.messages')")) === '5')
  await until('the messages slot streams', () => slotActive(messagesSlot), 60_000)
  // Streaming end to end: a probe row reaches a subscriber.
  const probe = rtClient(server, { apikey: service() })
  try {
    const channel = probe.channel('probe')
    const inbox = collectBroadcasts(channel)
    await subscribe(channel)
    await until('a probe row arrives', async () => {
      await sql(db, "select realtime.send('{}', 'probe', 'probe', false)")
      await new Promise((r) => setTimeout(r, 300))
      return inbox.got.length > 0
    }, 60_000)
  } finally { await disconnectAll(probe) }
  await sql(db, `
    create table public.orders (id bigint primary key, item text);
    create function public.orders_broadcast() returns trigger language plpgsql as $$
    begin
      perform realtime.broadcast_changes('orders:' || new.id, tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
      return null;
    end $$;
    create trigger orders_broadcast after insert or update on public.orders
      for each row execute function public.orders_broadcast();`)
})
after(async () => {
  await server?.stop()
  if (db) await dropDatabase(db)
})

describe('database broadcast', { skip: pgSkip }, () => {
  for (const vsn of ['1.0.0', '2.0.0']) {
    test(`realtime.send reaches its topic's channels of the row's kind only (vsn ${vsn})`, guard(async () => {
      const room = fresh('room')
      // One topic per socket: a second join of the same topic would replace the first.
      const client = rtClient(server, { apikey: service(), vsn })
      const other = rtClient(server, { apikey: service(), vsn })
      try {
        const publicChannel = client.channel(room)
        const privateChannel = other.channel(room, { config: { private: true } })
        const atPublic = collectBroadcasts(publicChannel)
        const atPrivate = collectBroadcasts(privateChannel)
        await Promise.all([subscribe(publicChannel), subscribe(privateChannel)])
        await sql(db, `select realtime.send('{"n": 1}', 'public-ev', '${room}', false)`)
        await sql(db, `select realtime.send('{"n": 2}', 'private-ev', '${room}')`)
        const [pub] = await atPublic.until(1, 5000)
        const [priv] = await atPrivate.until(1, 5000)
        const ids = (await sql(db, `select string_agg(id::text, ',' order by (payload->>'n')) from realtime.messages where topic = '${room}'`)).split(',')
        assert.equal(pub.event, 'public-ev')
        assert.deepEqual(pub.payload, { n: 1, id: ids[0] })
        assert.deepEqual(pub.meta, { id: ids[0] })
        assert.equal(priv.event, 'private-ev')
        assert.deepEqual(priv.payload, { n: 2, id: ids[1] })
        assert.deepEqual(priv.meta, { id: ids[1] })
        await atPublic.quiet(300)
        assert.equal(atPublic.got.length, 1)
        assert.equal(atPrivate.got.length, 1)
      } finally { await disconnectAll(client, other) }
    }))
  }

  test('broadcast_changes in a trigger delivers the row to the private channel', guard(async () => {
    const client = rtClient(server, { apikey: service() })
    try {
      const id = 1000 + topicN++
      const channel = client.channel(`orders:${id}`, { config: { private: true } })
      const inbox = collectBroadcasts(channel, 'INSERT')
      await subscribe(channel)
      await sql(db, `insert into public.orders values (${id}, 'tea')`)
      const [msg] = await inbox.until(1, 5000)
      assert.equal(msg.payload.operation, 'INSERT')
      assert.equal(msg.payload.table, 'orders')
      assert.equal(msg.payload.schema, 'public')
      assert.deepEqual(msg.payload.record, { id, item: 'tea' })
      assert.equal(msg.payload.old_record, null)
      assert.equal(msg.meta.id, msg.payload.id)
    } finally { await disconnectAll(client) }
  }))

  test('send_binary arrives as bytes on vsn 2.0.0', guard(async () => {
    const room = fresh('bin')
    const client = rtClient(server, { apikey: service() })
    try {
      const channel = client.channel(room)
      const inbox = collectBroadcasts(channel)
      await subscribe(channel)
      await sql(db, `select realtime.send_binary('\\x00ff7f'::bytea, 'blob', '${room}', false)`)
      const [msg] = await inbox.until(1, 5000)
      assert.equal(msg.event, 'blob')
      assert.deepEqual([...new Uint8Array(msg.payload)], [0x00, 0xff, 0x7f])
    } finally { await disconnectAll(client) }
  }))

  test('the rows of one transaction arrive in insertion order; a rolled back one never', guard(async () => {
    const room = fresh('order')
    const client = rtClient(server, { apikey: service() })
    try {
      const channel = client.channel(room)
      const inbox = collectBroadcasts(channel)
      await subscribe(channel)
      await sql(db, `begin; select realtime.send('{"n": 0}', 'e', '${room}', false); rollback;`)
      await sql(db, `begin; ${[1, 2, 3, 4, 5].map((n) => `select realtime.send('{"n": ${n}}', 'e', '${room}', false);`).join(' ')} commit;`)
      await inbox.until(5, 5000)
      await inbox.quiet(300)
      assert.deepEqual(inbox.got.map((m) => m.payload.n), [1, 2, 3, 4, 5])
    } finally { await disconnectAll(client) }
  }))

  test('the slot confirms what was handed on', guard(async () => {
    const room = fresh('confirm')
    await sql(db, `select realtime.send('{"n": 1}', 'e', '${room}', false)`)
    const lsn = await sql(db, 'select pg_current_wal_lsn()')
    await until('the messages slot confirms past the row', async () =>
      (await sql(db, `select confirmed_flush_lsn >= '${lsn}'::pg_lsn from pg_replication_slots where slot_name = '${messagesSlot}'`)) === 't', 15_000)
  }))

  test('a private join with replay gets the stored broadcasts first, oldest first, then live ones', guard(async () => {
    const room = fresh('replay')
    await sql(db, `begin; select realtime.send('{"n": 1}', 'e', '${room}'); select realtime.send('{"n": 2}', 'e', '${room}'); commit;`)
    await sql(db, `select realtime.send('{"n": 3}', 'e', '${room}')`)
    await sql(db, `select realtime.send('{"n": 99}', 'e', '${room}', false)`) // public: never replayed
    const since = Date.now() - 60_000
    const all = rtClient(server, { apikey: service() })
    const newest = rtClient(server, { apikey: service(), vsn: '1.0.0' })
    try {
      const channel = all.channel(room, { config: { private: true, broadcast: { replay: { since, limit: 10 } } } })
      const inbox = collectBroadcasts(channel)
      const two = newest.channel(room, { config: { private: true, broadcast: { replay: { since, limit: 2 } } } })
      const twoInbox = collectBroadcasts(two)
      await Promise.all([subscribe(channel), subscribe(two)])
      await inbox.until(3, 5000)
      assert.deepEqual(inbox.got.map((m) => m.payload.n), [1, 2, 3])
      for (const m of inbox.got) {
        assert.equal(m.meta.replayed, true)
        assert.equal(m.meta.id, m.payload.id)
      }
      await twoInbox.until(2, 5000)
      assert.deepEqual(twoInbox.got.map((m) => m.payload.n), [2, 3])
      await sql(db, `select realtime.send('{"n": 4}', 'e', '${room}')`)
      await inbox.until(4, 5000)
      assert.equal(inbox.got[3].payload.n, 4)
      assert.equal(inbox.got[3].meta.replayed, undefined)
      await inbox.quiet(300)
      assert.equal(inbox.got.length, 4)
    } finally { await disconnectAll(all, newest) }
  }))

  test('replay refusals: public channels, invalid params, no read permission', guard(async () => {
    const client = rtClient(server, { apikey: service() })
    const anon = rtClient(server, { apikey: token({ role: 'anon' }) })
    try {
      const outcome = (channel) => new Promise((resolve) => channel.subscribe((status, err) => resolve({ status, err: String(err?.message ?? err) })))
      // realtime-js refuses replay on a public channel itself: raw frames here.
      const s = await openSession(server, { apikey: service() })
      try {
        const payload = joinPayload()
        payload.config.broadcast.replay = { since: 0 }
        const topic = `realtime:${fresh('pub')}`
        await s.joinError(topic, payload, 'UnableToReplayMessages: Replay is not allowed for public channels')
      } finally { await s.close() }
      const invalid = await outcome(client.channel(fresh('bad'), { config: { private: true, broadcast: { replay: { since: 'yesterday' } } } }))
      assert.equal(invalid.status, 'CHANNEL_ERROR')
      assert.match(invalid.err, /UnableToReplayMessages: Replay params are not valid/)
      const sub = fresh('closed')
      const denied = await outcome(anon.channel(sub, { config: { private: true, broadcast: { replay: { since: 0 } } } }))
      assert.equal(denied.status, 'CHANNEL_ERROR')
      assert.match(denied.err, new RegExp(`Unauthorized: You do not have permissions to read from this Channel topic: ${sub}`))
    } finally { await disconnectAll(client, anon) }
  }))

  test('a server streaming database broadcast stops cleanly on SIGTERM', guard(async () => {
    const slot = uniqueName('stop_slot')
    const other = await startServer({ args: serverArgs(db, slot) })
    await until('its messages slot streams', () => slotActive(`${slot}_messages`), 30_000)
    // The exit status is the point here, not how long stopping takes on a
    // loaded machine: wait up to 30 s before server.stop() would kill it.
    other.proc.kill('SIGTERM')
    const exited = await withTimeout(other.exitedPromise, 30_000, 'the server exits after SIGTERM')
    assert.deepEqual(exited, { code: 0, signal: null })
  }))
})
