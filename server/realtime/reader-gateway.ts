/**
 * The reader side of the gateway: `channels:subscribe` (with a cursor each: the catch-up, then
 * every later event in log order) and `channels:unsubscribe`. Each socket follows at most
 * `maxChannels` channels at once and may subscribe `subscribesPerMinute` times a minute; the hub
 * holds a channel's state only while some socket follows it (see ChannelHub.follow).
 */
import { z } from 'zod';
import { channelRequestSchema, channelSchema, type ErrorCode, type SubscribeResult } from '../../shared/index.js';
import type { ReaderFanout } from './fanout.js';
import type { ChannelHub } from './hub.js';
import { fail, sharedHandler } from './handler.js';
import type { SocketContext, TickerSocket } from './socket.js';

export const READER_EVENTS = ['channels:subscribe', 'channels:unsubscribe'] as const;

export interface ReaderGatewayOptions {
  hub: ChannelHub;
  /** The channel rooms (fanout.ts): the hub's events reach sockets through it. */
  fanout: ReaderFanout;
  /** Most channels one socket may follow at once (its budget's). */
  maxChannels: number;
  /** The logger and strike counter of a socket, made when an event needs them. */
  contextOf: (socket: TickerSocket) => SocketContext;
}

/**
 * A request whose only fault is a malformed cursor gets INVALID_CURSOR, the code
 * `GET …/events?after=` and the SSE `?after=` answer for the same cursor.
 */
function cursorsOnly(error: z.ZodError): ErrorCode {
  const cursorFormat = error.issues.every((i) => i.path.at(-1) === 'cursor' && i.code === 'invalid_format');
  return cursorFormat ? 'INVALID_CURSOR' : 'VALIDATION_FAILED';
}

function readerSchemas(maxChannels: number) {
  return {
    // The subscribeRequestSchema of shared/wire, with this server's channel limit.
    subscribeSchema: z.strictObject({ channels: z.array(channelRequestSchema).min(1).max(maxChannels) }),
    unsubscribeSchema: z.strictObject({ channels: z.array(channelSchema).min(1).max(maxChannels) }),
  };
}

/** Built once per channel limit (one per server), not per connection: a schema is many objects. */
const schemasByLimit = new Map<number, ReturnType<typeof readerSchemas>>();
function schemasFor(maxChannels: number): ReturnType<typeof readerSchemas> {
  let schemas = schemasByLimit.get(maxChannels);
  if (!schemas) schemasByLimit.set(maxChannels, (schemas = readerSchemas(maxChannels)));
  return schemas;
}

/**
 * The reader listeners, made once per gateway and shared by every socket (Socket.IO calls each
 * with the socket as `this`): a connected reader costs its listener entries, not closures.
 */
export function readerListeners(options: ReaderGatewayOptions) {
  const { hub, fanout, contextOf } = options;
  const { subscribeSchema, unsubscribeSchema } = schemasFor(options.maxChannels);

  const unfollow = (socket: TickerSocket, channel: string): void => {
    fanout.leave(socket, channel);
    socket.data.slow?.delete(channel);
    if (socket.data.budget.channels.delete(channel)) hub.unfollow(channel);
  };

  const subscribe = sharedHandler(contextOf, subscribeSchema, async (socket: TickerSocket, { channels }) => {
    const budget = socket.data.budget;
    if (!budget.takeSubscribe(Date.now())) {
      contextOf(socket).strike('subscribe rate');
      return fail('TOO_MANY_SUBSCRIBES', 'too many subscribe calls on this socket; wait a minute');
    }
    const { fresh, fits } = budget.roomFor(channels.map((c) => c.channel));
    if (!fits) {
      contextOf(socket).strike('too many channels');
      return fail('TOO_MANY_CHANNELS', `a socket may follow at most ${budget.maxChannels} channels at once; it follows ${budget.channels.size}`);
    }
    for (const channel of fresh) {
      budget.channels.add(channel);
      hub.follow(channel);
    }
    // A resubscribe starts over from the cursor it sends: no live events meanwhile.
    for (const { channel } of channels) fanout.leave(socket, channel);
    try {
      const results = await Promise.all(channels.map(({ channel, cursor }) =>
        new Promise<SubscribeResult>((resolve, reject) => {
          // Omitted, null and "" all mean a first visit (docs/protocol.md, "Cursor rules").
          hub.attach(channel, cursor || undefined, (c) => {
            // A socket that left meanwhile joins nothing (a room of a gone socket would leak).
            if (socket.connected && budget.channels.has(channel)) fanout.admit(socket, channel, c);
            resolve({ channel, mode: c.mode, cursor: c.cursor });
          }).catch(reject);
        })));
      return { data: { channels: results } };
    } catch (err) {
      for (const channel of fresh) unfollow(socket, channel);
      throw err;
    }
  }, { event: 'channels:subscribe', fallback: 'ENGINE_UNAVAILABLE', invalid: cursorsOnly });

  const unsubscribe = sharedHandler(contextOf, unsubscribeSchema, (socket: TickerSocket, { channels }) => {
    for (const channel of channels) unfollow(socket, channel);
    return { data: { channels } };
  }, { event: 'channels:unsubscribe' });

  function disconnect(this: TickerSocket): void {
    for (const channel of [...this.data.budget.channels]) unfollow(this, channel);
  }

  /** Registers the shared listeners on one socket. */
  return (socket: TickerSocket): void => {
    socket.on('channels:subscribe', subscribe as never);
    socket.on('channels:unsubscribe', unsubscribe as never);
    socket.on('disconnect', disconnect);
  };
}
