/**
 * A gate in front of a reader server: an HTTP proxy on port 0 that, while closed, holds every
 * request and WebSocket upgrade unanswered (a reader whose connection has not come through yet)
 * and passes them on once opened. Lets a browser test look at a page before any socket or stream
 * connects, without timing. Teardown registered here.
 */
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

export interface Gate {
  url: string;
  /** Requests and upgrades held so far while closed. */
  held: number;
  /** Closes the gate (new arrivals wait); it starts closed. */
  close(): void;
  /** Passes on everything held, and every later arrival. */
  open(): void;
}

export function useGate(target: () => string): Gate {
  let server: Server | undefined;
  let waiting: (() => void)[] = [];
  const tunnels = new Set<{ destroy(): void }>();
  let closed = true;
  const gate: Gate = {
    url: '',
    held: 0,
    close: () => void (closed = true),
    open() {
      closed = false;
      for (const pass of waiting.splice(0)) pass();
    },
  };
  const hold = (pass: () => void) => {
    if (!closed) return pass();
    gate.held++;
    waiting.push(pass);
  };
  beforeAll(async () => {
    server = createServer((req, res) => hold(() => {
      const { hostname, port } = new URL(target());
      const upstream = request({ host: hostname, port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      res.once('close', () => upstream.destroy());
      req.pipe(upstream);
    }));
    server.on('upgrade', (req, socket, head) => {
      tunnels.add(socket);
      hold(() => {
        const { hostname, port } = new URL(target());
        const conn = connect(Number(port), hostname, () => {
          const lines = [`${req.method} ${req.url} HTTP/1.1`];
          for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
          conn.write(`${lines.join('\r\n')}\r\n\r\n`);
          conn.write(head);
          socket.pipe(conn).pipe(socket);
        });
        tunnels.add(conn);
        conn.on('error', () => socket.destroy());
        socket.on('error', () => conn.destroy());
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    gate.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    waiting = [];
    for (const t of tunnels) t.destroy();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });
  return gate;
}
