// A lean raw subscriber (vsn 2.0.0) to the INSERTs of one table, for tests
// that count rows by the thousand: it keeps the ids in arrival order
// (`arrived`), as a set (`ids`), the frame count and the system messages.
//
//   const s = await rowSubscriber(server, 'items', 'label')   // once subscribed
//   await s.wait(() => s.ids.size >= 100, 10_000, 'a hundred rows')
//   s.onNew = (id) => { ... }                                 // first arrival of an id
import WebSocket from 'ws'
import { joinPayload } from './session.mjs'
import { deferred, withTimeout } from './clients.mjs'
import { token } from './jwt.mjs'

export const SUBSCRIBED = 'Subscribed to PostgreSQL'

export async function rowSubscriber(server, table, label, sockets = []) {
  const ws = new WebSocket(`${server.wsBase}/realtime/v1/websocket?apikey=${token()}&vsn=2.0.0`, { perMessageDeflate: false })
  sockets.push(ws)
  const state = { arrived: [], ids: new Set(), frames: 0, system: [], closed: false, ws }
  const subscribed = deferred()
  const waiters = []
  const poke = () => { for (let i = 0; i < waiters.length; i++) if (waiters[i]()) { waiters.splice(i, 1); i-- } }
  state.wait = (pred, ms, what) => {
    const d = deferred()
    const w = () => { if (pred()) { d.resolve(); return true } return false }
    if (!w()) waiters.push(w)
    return withTimeout(d.promise, ms, `${label}: ${what} (have ${state.ids.size} ids, ${state.frames} frames)`)
  }
  ws.on('message', (data) => {
    const [, , , event, payload] = JSON.parse(data.toString('utf8'))
    if (event === 'postgres_changes' && payload.data.table === table) {
      state.frames++
      const id = payload.data.record.id
      state.arrived.push(id)
      if (!state.ids.has(id)) { state.ids.add(id); state.onNew?.(id) }
    } else if (event === 'system') {
      state.system.push(payload)
      if (payload.message === SUBSCRIBED) subscribed.resolve()
      else if (payload.status === 'error') subscribed.reject(new Error(`${label}: ${payload.message}`))
    } else if (event === 'phx_reply' && payload.status !== 'ok') {
      subscribed.reject(new Error(`${label}: join refused ${JSON.stringify(payload)}`))
    }
    poke()
  })
  // ws emits 'close' only after every frame received before it was handed out
  ws.on('close', () => { state.closed = true; poke() })
  ws.on('error', () => {})
  await withTimeout(new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject) }), 5000, `${label}: open`)
  ws.send(JSON.stringify(['1', '1', `realtime:${label}`, 'phx_join', joinPayload({ postgres_changes: [{ event: 'INSERT', schema: 'public', table }] })]))
  await withTimeout(subscribed.promise, 15_000, `${label}: "${SUBSCRIBED}"`)
  return state
}
