'use strict';
// uWebSockets.js peer (npm @trufflesuite/uws-js-unofficial): the native C++ pub/sub of uWS
// behind a thin JS shell. /sub subscribes to topic "bench"; frames sent on /pub are published to it.
const uWS = require('@trufflesuite/uws-js-unofficial');

const port = Number(process.env.PORT || 0);
const common = {
  compression: uWS.DISABLED,
  maxPayloadLength: 1 << 20,
  idleTimeout: 0,
  // uWS's default (64 KiB) silently skips a subscriber whose send buffer is fuller than this
  // during publish; a benchmark must not lose messages that way.
  maxBackpressure: 64 << 20,
};
const app = uWS.App();
app.ws('/sub', { ...common, open: (ws) => { ws.subscribe('bench'); } });
app.ws('/pub', { ...common, message: (ws, msg, isBinary) => { app.publish('bench', msg, isBinary); } });
app.any('/*', (res) => { res.writeStatus('404 Not Found').end(''); });
app.listen('127.0.0.1', port, (token) => {
  if (!token) { console.error(`uws-server: cannot listen on 127.0.0.1:${port}`); process.exit(1); }
  console.log(`peer listening on 127.0.0.1:${uWS.us_socket_local_port(token)}`);
});
