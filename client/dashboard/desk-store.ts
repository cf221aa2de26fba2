/**
 * The desk feed: one Socket.IO connection authenticated with the key, following every document
 * change of the desk's channels (`desk:subscribe`, then `desk:change` and `desk:readers`). Keeps
 * the newest version of each headline and the versions seen during this session. The socket
 * factory is injected so the store can be driven without a server.
 */
import { io, type Socket } from 'socket.io-client';
import type { DeskHeadline } from '../../shared/headline.js';
import type { Ack, ClientToServerEvents, DeskState, ServerToClientEvents } from '../../shared/protocol.js';
import type { ReachStore } from './reach.js';

export type DeskSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type DeskConnection = 'connecting' | 'live' | 'offline';

export const defaultSocketFactory = (key: string): DeskSocket => io({ auth: { key }, transports: ['websocket'] });

export class DeskStore {
  readonly docs = new Map<string, DeskHeadline>();
  /** Every version seen of each headline, newest first. */
  readonly versions = new Map<string, DeskHeadline[]>();
  state: DeskConnection = 'connecting';
  error: string | undefined;
  private channels: string[] = [];
  private readonly socket: DeskSocket;
  private readonly listeners = new Set<() => void>();

  constructor(key: string, private readonly reach: ReachStore, socketFactory = defaultSocketFactory) {
    this.socket = socketFactory(key);
    this.socket.on('connect', () => this.subscribe());
    this.socket.on('disconnect', () => this.setState('offline'));
    this.socket.on('connect_error', () => this.setState('offline'));
    this.socket.on('desk:change', (doc) => {
      if (this.channels.includes(doc.channel) && this.upsert(doc)) this.emit();
    });
    this.socket.on('desk:readers', ({ channels }) => this.reach.set(channels));
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  follow(channels: string[]): void {
    this.channels = [...channels];
    if (this.socket.connected) this.subscribe();
  }

  /** Applies a document the desk learnt from an HTTP answer (it may arrive before the socket). */
  apply(doc: DeskHeadline): void {
    if (this.upsert(doc)) this.emit();
  }

  close(): void {
    this.socket.disconnect();
  }

  private subscribe(): void {
    const channels = [...this.channels];
    if (!channels.length) return this.setState('live');
    this.socket.emit('desk:subscribe', { channels }, (res: Ack<DeskState>) => {
      if ('error' in res) {
        this.error = res.error.message;
        return this.setState('offline');
      }
      this.error = undefined;
      for (const [uri, doc] of this.docs) if (!channels.includes(doc.channel)) this.docs.delete(uri);
      for (const doc of res.data.headlines) this.upsert(doc);
      this.reach.set(res.data.readers);
      this.setState('live');
    });
  }

  private upsert(doc: DeskHeadline): boolean {
    const current = this.docs.get(doc.uri);
    if (current && current.version > doc.version) return false;
    const seen = this.versions.get(doc.uri) ?? [];
    if (!seen.some((v) => v.version === doc.version)) {
      seen.push(doc);
      seen.sort((a, b) => b.version - a.version);
      this.versions.set(doc.uri, seen);
    }
    if (current && current.version === doc.version && current.status === doc.status) return false;
    this.docs.set(doc.uri, doc);
    return true;
  }

  private setState(state: DeskConnection): void {
    this.state = state;
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
