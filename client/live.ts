// A minimal live page: subscribes to the channels in ?channels= and lists the live set.
import { io, type Socket } from 'socket.io-client';
import { applyEvent, compareNewestFirst } from '../shared/events.js';
import type { Headline } from '../shared/headline.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../shared/protocol.js';

const channels = (new URLSearchParams(location.search).get('channels') ?? 'ar-breaking,en-world').split(',');
const list = document.getElementById('live') as HTMLUListElement;
const live = new Map<string, Headline>();
const cursors = new Map<string, string>();
const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ transports: ['websocket'] });

function render(): void {
  list.replaceChildren(...[...live.values()].sort(compareNewestFirst).map((h) => {
    const li = document.createElement('li');
    li.dir = h.direction;
    li.lang = h.language;
    li.textContent = `[${h.channel}] ${h.headline}`;
    return li;
  }));
}
socket.on('connect', () => socket.emit('channels:subscribe', { channels: channels.map((channel) => ({ channel, cursor: cursors.get(channel) })) }, () => undefined));
socket.on('channel:snapshot', (s) => {
  for (const [uri, h] of live) if (h.channel === s.channel) live.delete(uri);
  for (const h of s.headlines) live.set(h.uri, h);
  cursors.set(s.channel, s.cursor);
  render();
});
socket.on('headline:event', (e) => {
  applyEvent(live, e);
  cursors.set(e.channel, `${e.epoch}:${e.offset}`);
  render();
});
