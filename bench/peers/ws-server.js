'use strict';
// Broadcast peer on npm `ws`: the plain "loop over every client and send" pattern.
// Subscribers connect to /sub; every frame a client sends on /pub goes to all subscribers.
const { WebSocketServer } = require('ws');

const port = Number(process.env.PORT || 0);
const subs = new Set();
const wss = new WebSocketServer({
  host: '127.0.0.1', port, perMessageDeflate: false, clientTracking: false, maxPayload: 1 << 20,
});

wss.on('connection', (ws, req) => {
  const path = (req.url || '/').split('?')[0];
  ws.on('error', () => {});
  if (path === '/pub') {
    ws.on('message', (data, isBinary) => { for (const c of subs) c.send(data, { binary: isBinary }); });
  } else {
    subs.add(ws);
    ws.on('close', () => subs.delete(ws));
  }
});
wss.on('listening', () => console.log(`peer listening on 127.0.0.1:${wss.address().port}`));
wss.on('error', (e) => { console.error(`ws-server: ${e.message}`); process.exit(1); });
