/**
 * What both baselines share: the HTTP publish path (POST /publish/:channel with the headline as
 * JSON, answered 201 after the broadcast was handed to the sockets), an event of the product's
 * shape, /healthz, and the probe. Deliberately minimal: what a user would hand-roll.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { installProbe } from './probe.js';

export interface BaselineEvent {
  channel: string;
  epoch: string;
  offset: number;
  type: 'published';
  uri: string;
  version: number;
  headline: Record<string, unknown>;
  at: string;
}

const epoch = randomBytes(4).toString('hex');
let offset = 0;

function eventOf(channel: string, body: Record<string, unknown>): BaselineEvent {
  const at = new Date().toISOString();
  const uri = randomBytes(12).toString('base64url');
  return {
    channel, epoch, offset: ++offset, type: 'published', uri, version: 1,
    headline: { uri, channel, version: 1, language: 'ar', direction: 'rtl', urgency: 1, pubStatus: 'usable', firstCreated: at, versionCreated: at, ...body },
    at,
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the HTTP server of a baseline; `broadcast` sends one event to a channel's readers. */
export function startBaseline(broadcast: (channel: string, event: BaselineEvent) => void): Server {
  installProbe();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const m = req.method === 'POST' ? /^\/publish\/([a-z0-9-]{1,64})$/.exec(req.url ?? '') : null;
    if (m) {
      readBody(req).then((text) => {
        const event = eventOf(m[1]!, JSON.parse(text) as Record<string, unknown>);
        broadcast(event.channel, event);
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { uri: event.uri } }));
      }).catch(() => res.writeHead(400).end());
      return;
    }
    if (req.url === '/healthz') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    if (req.url?.startsWith('/socket.io/') || req.url?.startsWith('/ws')) return; // the socket servers answer these
    res.writeHead(404).end();
  });
  const port = Number(process.env.PORT ?? 0);
  server.listen(port, '127.0.0.1');
  return server;
}
