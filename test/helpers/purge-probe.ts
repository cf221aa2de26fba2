/**
 * Reads every public surface of one server for a channel and a headline, the way an anonymous
 * reader can: live set, headline view (JSON and ninjs), the events log from every cursor and
 * paged, and socket catch-up from every offset, an old epoch and no cursor. Returns the raw
 * bodies, so a test can search them for a killed headline's words.
 */
import { io } from 'socket.io-client';
import type { Ack, SubscribeResult } from '../../shared/protocol.js';
import type { TickerClientSocket } from './app.js';

export interface PublicBodies {
  /** Label → body text (HTTP) or JSON of everything a socket received during a catch-up. */
  bodies: Map<string, string>;
  /** The channel log's head offset and epoch when read. */
  head: number;
  epoch: string;
}

async function text(url: string): Promise<string> {
  const res = await fetch(url);
  return `${res.status} ${await res.text()}`;
}

/** Subscribes with `cursor` and returns everything sent before the ack (the catch-up), as JSON. */
export async function catchUp(url: string, channel: string, cursor?: string): Promise<{ received: unknown[]; mode: string }> {
  const socket: TickerClientSocket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  const received: unknown[] = [];
  socket.on('headline:event', (e) => received.push(e));
  socket.on('channel:snapshot', (s) => received.push(s));
  try {
    const ack = await new Promise<Ack<{ channels: SubscribeResult[] }>>((resolve) =>
      socket.emit('channels:subscribe', { channels: [{ channel, ...(cursor ? { cursor } : {}) }] }, resolve));
    if ('error' in ack) throw new Error(`subscribe failed: ${ack.error.code}`);
    return { received, mode: ack.data.channels[0]!.mode };
  } finally {
    socket.disconnect();
  }
}

export async function readPublic(base: string, channel: string, uri: string): Promise<PublicBodies> {
  const bodies = new Map<string, string>();
  const api = `${base}/api/v1`;
  bodies.set('live set', await text(`${api}/channels/${channel}/headlines`));
  bodies.set('headline view', await text(`${api}/headlines/${uri}`));
  bodies.set('headline ninjs', await text(`${api}/headlines/${uri}?format=ninjs`));
  const first = JSON.parse((await text(`${api}/channels/${channel}/events?limit=1000`)).slice(4)) as {
    data: { head: string; events: { offset: number }[] };
  };
  bodies.set('events (no cursor)', JSON.stringify(first));
  const [epoch, headText] = first.data.head.split(':') as [string, string];
  const head = Number(headText);
  for (let o = 0; o <= head; o++) bodies.set(`events after ${o}`, await text(`${api}/channels/${channel}/events?after=${epoch}:${o}`));
  // Paging one event at a time from the start, following the returned cursor.
  let cursor = `${epoch}:0`;
  for (let page = 0; page <= head; page++) {
    const body = await text(`${api}/channels/${channel}/events?after=${cursor}&limit=1`);
    bodies.set(`events page ${page}`, body);
    cursor = (JSON.parse(body.slice(4)) as { data: { cursor: string } }).data.cursor;
  }
  for (let o = 0; o <= head; o++) bodies.set(`catch-up from ${o}`, JSON.stringify(await catchUp(base, channel, `${epoch}:${o}`)));
  bodies.set('catch-up old epoch', JSON.stringify(await catchUp(base, channel, `oldepoch0:${Math.max(0, head - 1)}`)));
  bodies.set('catch-up no cursor', JSON.stringify(await catchUp(base, channel)));
  return { bodies, head, epoch };
}

/** The labels of bodies that contain any of `words`. */
export function leaks(read: PublicBodies, words: string[]): string[] {
  return [...read.bodies].filter(([, body]) => words.some((w) => body.includes(w))).map(([label]) => label);
}
