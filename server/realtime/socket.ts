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
}

export type TickerServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type TickerSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** What a gateway's handlers get for one socket: its logger, its budget and the strike counter. */
export interface SocketContext extends HandlerContext {
  socket: TickerSocket;
}

export const roomOf = (channel: string): string => `ch:${channel}`;
/** The channel a reader room is for; undefined for any other room (a socket's own, a desk room). */
export const channelOfRoom = (room: unknown): string | undefined =>
  typeof room === 'string' && room.startsWith('ch:') ? room.slice(3) : undefined;
export const deskRoomOf = (channel: string): string => `desk:${channel}`;
export const DESK_ALL = 'desk';
