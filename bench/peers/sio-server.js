'use strict';
// Socket.IO 4 peer, WebSocket transport only. A client whose handshake query has `pub` is the
// publisher: each of its "m" events is re-emitted to room "bench". Every other client joins "bench".
const http = require('http');
const { Server } = require('socket.io');

const port = Number(process.env.PORT || 0);
const srv = http.createServer();
const io = new Server(srv, {
  transports: ['websocket'], perMessageDeflate: false, serveClient: false, maxHttpBufferSize: 1 << 20,
});
io.on('connection', (socket) => {
  if (socket.handshake.query.pub) socket.on('m', (data) => { io.to('bench').emit('m', data); });
  else socket.join('bench');
});
srv.on('error', (e) => { console.error(`sio-server: ${e.message}`); process.exit(1); });
srv.listen(port, '127.0.0.1', () => console.log(`peer listening on 127.0.0.1:${srv.address().port}`));
