/**
 * The client address of a request, derived exactly as Express derives `req.ip` from its
 * `trust proxy` setting (proxy-addr's walk): start at the socket's peer and step left through
 * X-Forwarded-For only while the hop just passed is a trusted proxy. Used for socket handshakes,
 * which do not pass through Express.
 */
import type { IncomingMessage } from 'node:http';

/** Express's compiled `trust proxy fn`: whether the address `i` hops from the server is trusted. */
export type TrustFn = (address: string, hop: number) => boolean;

export function clientAddress(req: IncomingMessage, trust: TrustFn): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  const header = req.headers['x-forwarded-for'];
  const forwarded = typeof header === 'string' ? header.split(',').map((s) => s.trim()).filter(Boolean).reverse() : [];
  const hops = [peer, ...forwarded];
  for (let i = 0; i < hops.length - 1; i++) if (!trust(hops[i]!, i)) return hops[i]!;
  return hops[hops.length - 1]!;
}
