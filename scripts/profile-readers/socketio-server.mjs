/**
 * The baseline: a default Socket.IO server as a user would hand-roll it. Readers emit
 * `join` (channel, ack); `POST /publish/:channel` broadcasts the body with
 * `io.to(channel).emit('headline:event', …)`. PORT from the environment.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const server = createServer((req, res) => {
  const m = /^\/publish\/([\w-]+)$/.exec(req.url ?? '');
  if (req.method !== 'POST' || !m) return void res.writeHead(404).end();
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    io.to(m[1]).emit('headline:event', JSON.parse(body));
    res.writeHead(204).end();
  });
});
const io = new Server(server, { serveClient: false, cors: { origin: '*' } });
io.on('connection', (socket) => {
  socket.on('join', (channel, ack) => {
    if (typeof channel !== 'string') return;
    void socket.join(channel);
    if (typeof ack === 'function') ack('ok');
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
