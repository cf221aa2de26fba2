/**
 * The Socket.IO contract, typed once for server and client. The server is
 * `Server<ClientToServerEvents, ServerToClientEvents>`, the client
 * `Socket<ServerToClientEvents, ClientToServerEvents>`. Documented in docs/protocol.md; the payload
 * types are derived from the zod schemas in shared/wire.ts (served as JSON Schema).
 */
import type { z } from 'zod';
import type { ErrorCode, FieldError } from './errors.js';
import type { DeskHeadline } from './headline.js';
import type { TickerEvent } from './events.js';
import type {
  channelRequestSchema, closingNoticeSchema, drainingNoticeSchema, eventBatchSchema, snapshotSchema, subscribeRequestSchema, subscribeResultSchema,
} from './wire.js';

export type Ack<T> = { data: T } | { error: { code: ErrorCode; message: string; errors?: FieldError[] } };

/**
 * One channel of a subscribe request. `cursor`: the cursor from the last event or snapshot the
 * client applied; omitted, `null` or `""` on a first visit (all three mean the same).
 */
export type ChannelRequest = z.input<typeof channelRequestSchema>;

export type SubscribeRequest = z.input<typeof subscribeRequestSchema>;

/** `mode` `events`: the missed events were sent; `snapshot`: a fresh snapshot was sent. `cursor`: after the catch-up. */
export type SubscribeResult = z.infer<typeof subscribeResultSchema>;

/**
 * Why a snapshot was sent. `slow-reader`: the reader's connection fell behind, the server stopped
 * queuing events for it and, once it drained, sent the current state instead of the events missed.
 */
export const SNAPSHOT_REASONS = ['first-visit', 'cursor-too-old', 'epoch-changed', 'resync', 'slow-reader'] as const;
export type SnapshotReason = (typeof SNAPSHOT_REASONS)[number];

/**
 * Several events of one channel in one packet (`headline:events`): in log order, consecutive
 * offsets, each applied exactly as a `headline:event` would be. Sent only to sockets that asked
 * for batches in the handshake (`auth: { batch: true }`).
 */
export type EventBatch = z.infer<typeof eventBatchSchema>;

/** The live set of a channel at `cursor`, newest first. Replaces whatever the client showed. */
export type Snapshot = z.infer<typeof snapshotSchema>;

/** The client should reconnect (to another instance) after about `reconnectInMs` milliseconds. */
export type DrainingNotice = z.infer<typeof drainingNoticeSchema>;

/** The desk's view on connect: recent documents in every state, and reader counts. */
export interface DeskState {
  channels: string[];
  headlines: DeskHeadline[];
  readers: Record<string, number>;
}

export interface ReaderCounts {
  /** Connected readers per channel, summed over every server process. */
  channels: Record<string, number>;
}

export interface ServerToClientEvents {
  /** One log event of a subscribed channel, in log order. */
  'headline:event': (event: TickerEvent) => void;
  /** Several consecutive log events of a subscribed channel (only with `auth: { batch: true }`). */
  'headline:events': (batch: EventBatch) => void;
  /** A fresh snapshot of a subscribed channel. */
  'channel:snapshot': (snapshot: Snapshot) => void;
  /** This server instance is shutting down. */
  'server:draining': (notice: DrainingNotice) => void;
  /** Desk only: any change to a document of a followed channel (public or not). */
  'desk:change': (doc: DeskHeadline) => void;
  /** Desk only: reader counts, every few seconds. */
  'desk:readers': (counts: ReaderCounts) => void;
  /**
   * The server is about to close this connection for a reason the client should not retry
   * blindly (e.g. `TOO_MANY_BAD_EVENTS`). Sent just before the disconnect; clients switch on `code`.
   */
  'connection:closing': (reason: ClosingNotice) => void;
}

export type ClosingNotice = z.infer<typeof closingNoticeSchema>;

export interface ClientToServerEvents {
  'channels:subscribe': (req: SubscribeRequest, ack: (res: Ack<{ channels: SubscribeResult[] }>) => void) => void;
  'channels:unsubscribe': (req: { channels: string[] }, ack: (res: Ack<{ channels: string[] }>) => void) => void;
  /**
   * Newsroom desk: follow every document change of these channels. Needs an API key in the
   * handshake (`io(url, { auth: { key } })`) that may publish to each channel.
   */
  'desk:subscribe': (req: { channels: string[] }, ack: (res: Ack<DeskState>) => void) => void;
}

/** Most channels one socket may follow at once (over all its subscribe calls). */
export const MAX_CHANNELS_PER_SOCKET = 20;

/**
 * The epoch of a channel that has never had a headline. Such a channel has no state anywhere
 * (a read writes nothing); its cursor is `empty:0`. When its first headline arrives the channel
 * gets a real (random, 10-character) epoch and readers at `empty:0` move to it: a live reader
 * receives the first event, a returning reader a fresh snapshot.
 */
export const EMPTY_EPOCH = 'empty';
