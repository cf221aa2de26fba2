/**
 * Baseline: a minimal raw `ws` server, the practical limit. Readers connect to /ws?channel=NAME;
 * a publish serialises the event once to a Buffer and writes it to every reader of the channel.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { startBaseline } from './baseline.js';

const rooms = new Map<string, Set<WebSocket>>();

const server = startBaseline((channel, event) => {
  const data = Buffer.from(JSON.stringify(event));
  for (const ws of rooms.get(channel) ?? []) ws.send(data, { binary: false });
});

const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false, clientTracking: false });
wss.on('connection', (ws, req) => {
  const channel = new URL(req.url ?? '/', 'http://x').searchParams.get('channel') ?? '';
  let room = rooms.get(channel);
  if (!room) rooms.set(channel, (room = new Set()));
  room.add(ws);
  ws.on('close', () => room.delete(ws));
  ws.send('{"type":"subscribed"}');
});
