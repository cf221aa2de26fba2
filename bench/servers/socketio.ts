/**
 * Baseline: a default Socket.IO server, what a user would hand-roll. Readers emit
 * `join` (channel, ack); a publish is `io.to(channel).emit('headline:event', event)`.
 */
import { Server } from 'socket.io';
import { startBaseline } from './baseline.js';

let io: Server | undefined;
const server = startBaseline((channel, event) => io?.to(channel).emit('headline:event', event));
io = new Server(server, { serveClient: false, cors: { origin: '*' } });
io.on('connection', (socket) => {
  socket.on('join', (channel: unknown, ack: unknown) => {
    if (typeof channel !== 'string') return;
    void socket.join(channel);
    if (typeof ack === 'function') ack('ok');
  });
});
