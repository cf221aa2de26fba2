/**
 * Baseline: a default Socket.IO server, what a user would hand-roll. Readers emit
 * `join` (channel, ack); a publish is `io.to(channel).emit('headline:event', event)`.
 * BENCH_SIO_DISCARD_REQUEST=1 measures one lever from Socket.IO's memory-usage notes: dropping
 * each connection's reference to its HTTP upgrade request once the handshake is done.
 */
import { Server } from 'socket.io';
import { startBaseline } from './baseline.js';

let io: Server | undefined;
const server = startBaseline((channel, event) => io?.to(channel).emit('headline:event', event));
io = new Server(server, { serveClient: false, cors: { origin: '*' } });
if (process.env.BENCH_SIO_DISCARD_REQUEST === '1') {
  io.engine.on('connection', (raw: { request: unknown }) => {
    raw.request = null;
  });
}
io.on('connection', (socket) => {
  socket.on('join', (channel: unknown, ack: unknown) => {
    if (typeof channel !== 'string') return;
    void socket.join(channel);
    if (typeof ack === 'function') ack('ok');
  });
});
