/** Socket types and room names shared by the reader and desk gateways. */
import type { Logger } from 'pino';
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/index.js';
import type { SocketBudget } from './budget.js';
import type { HandlerContext } from './handler.js';

export interface SocketData {
  /** The socket's child logger, made on first use (most readers never log a line). */
  log?: Logger;
  budget: SocketBudget;
  /** Set once the server decided to close the socket. */
  closing?: boolean;
  /** The client applies `headline:events` (it said `auth: { batch: true }` in the handshake). */
  batch: boolean;
  /**
   * Set while the reader is conflated (slow-readers.ts): its channels, each with the cursor up to
   * which it had been sent everything. At most one entry per followed channel.
   */
  slow?: Map<string, string>;
}

export type TickerServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type TickerSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** What a gateway's handlers get for one socket: its logger, its budget and the strike counter. */
export interface SocketContext extends HandlerContext {
  socket: TickerSocket;
}

/** A channel's room of sockets that take one `headline:event` per event. */
export const roomOf = (channel: string): string => `ch:${channel}`;
/** A channel's room of sockets that take `headline:events` batches. */
export const batchRoomOf = (channel: string): string => `cb:${channel}`;
/**
 * A channel's conflated readers (slow-readers.ts): they stay in the channel's room, so they are
 * still counted as readers, and every broadcast to the channel leaves them out.
 */
export const slowRoomOf = (channel: string): string => `cs:${channel}`;
/** The room a socket joins for a channel. */
export const readerRoomOf = (socket: TickerSocket, channel: string): string => (socket.data.batch ? batchRoomOf : roomOf)(channel);
/**
 * The channel a reader room is for (`ch:` single-event and `cb:` batch rooms); undefined for any
 * other room (a socket's own, a desk room, the `cs:` rooms of conflated readers, who are counted
 * in their channel room already).
 */
export const channelOfRoom = (room: unknown): string | undefined =>
  typeof room === 'string' && (room.startsWith('ch:') || room.startsWith('cb:')) ? room.slice(3) : undefined;
export const deskRoomOf = (channel: string): string => `desk:${channel}`;
export const DESK_ALL = 'desk';
