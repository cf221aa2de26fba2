/**
 * One wrapper for every socket event handler, reader or desk: it takes whatever Socket.IO
 * delivered (any number of arguments of any type, an ack or none), finds the ack, validates the
 * one payload with a zod schema, runs the handler and answers `{ data } | { error }` exactly
 * once. A thrown AppError answers with its code; anything else is logged and answers with the
 * handler's fallback code. Invalid input counts against the socket's budget (`strike`).
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import { ERRORS, type Ack, type ErrorCode, type FieldError } from '../../shared/index.js';
import { AppError } from '../domain/errors.js';

export interface HandlerContext {
  /** The socket's logger. */
  log(): Logger;
  /** Counts one unknown or invalid event against the socket's budget. */
  strike(reason: string): void;
}

export interface HandlerOptions {
  /** The event name, for messages and logs. */
  event: string;
  /** The code answered when the handler fails with something other than an AppError. @default 'INTERNAL' */
  fallback?: ErrorCode;
  /**
   * The code for a payload the schema refuses. @default 'VALIDATION_FAILED'. The subscribe
   * handler answers INVALID_CURSOR when only cursors are malformed, as the HTTP endpoints do.
   */
  invalid?: (error: z.ZodError) => ErrorCode;
}

type AckFn = (res: unknown) => void;

export function fail<T>(code: ErrorCode, message: string, errors?: FieldError[]): Ack<T> {
  return { error: { code, message, ...(errors ? { errors } : {}) } };
}

export function zodErrors(error: z.ZodError): FieldError[] {
  return error.issues.slice(0, 20).map((i) => ({ field: i.path.map(String).join('.'), message: i.message }));
}

/** Splits Socket.IO listener arguments into the payloads and the ack (always last when present). */
export function splitAck(args: unknown[]): { payload: unknown[]; ack: AckFn | undefined } {
  const last = args.at(-1);
  if (typeof last !== 'function') return { payload: args, ack: undefined };
  return { payload: args.slice(0, -1), ack: last as AckFn };
}

/** An ack that answers at most once and never throws into the caller. */
export function once<T>(ack: AckFn | undefined, log: () => Logger): (res: Ack<T>) => void {
  let done = false;
  return (res) => {
    if (done || !ack) return;
    done = true;
    try {
      ack(res);
    } catch (err) {
      log().warn({ err }, 'socket ack failed');
    }
  };
}

/**
 * A Socket.IO listener for one event: `(payload, ack?)` where the payload must satisfy `schema`.
 * Typed as `(...args: unknown[])` on purpose: clients may send anything.
 */
export function handler<S extends z.ZodType, T>(
  ctx: HandlerContext,
  schema: S,
  run: (input: z.output<S>) => Promise<Ack<T>> | Ack<T>,
  options: HandlerOptions,
): (...args: unknown[]) => void {
  return (...args: unknown[]) => dispatch(ctx, schema, run, options, args);
}

/**
 * The same, as one listener shared by every socket: Socket.IO calls a listener with the socket
 * as `this`, so `contextOf(this)` finds what `run` needs. Nothing is allocated per connection,
 * which counts when a process holds tens of thousands of idle readers.
 */
export function sharedHandler<Socket, S extends z.ZodType, T>(
  contextOf: (socket: Socket) => HandlerContext,
  schema: S,
  run: (socket: Socket, input: z.output<S>) => Promise<Ack<T>> | Ack<T>,
  options: HandlerOptions,
): (this: Socket, ...args: unknown[]) => void {
  return function (this: Socket, ...args: unknown[]) {
    dispatch(contextOf(this), schema, (input) => run(this, input), options, args);
  };
}

function dispatch<S extends z.ZodType, T>(
  ctx: HandlerContext,
  schema: S,
  run: (input: z.output<S>) => Promise<Ack<T>> | Ack<T>,
  options: HandlerOptions,
  args: unknown[],
): void {
  const fallback = options.fallback ?? 'INTERNAL';
  const { payload, ack } = splitAck(args);
  const reply = once<T>(ack, () => ctx.log());
  if (payload.length !== 1) {
    ctx.strike(`${options.event}: ${payload.length} payloads`);
    return reply(fail('VALIDATION_FAILED', `${options.event} takes one payload and an optional ack`));
  }
  const parsed = schema.safeParse(payload[0]);
  if (!parsed.success) {
    ctx.strike(`${options.event}: invalid payload`);
    const code = options.invalid?.(parsed.error) ?? 'VALIDATION_FAILED';
    return reply(fail(code, code === 'VALIDATION_FAILED' ? `invalid ${options.event} request` : ERRORS[code].title, zodErrors(parsed.error)));
  }
  const failed = (err: unknown): void => {
    if (err instanceof AppError) return reply(fail(err.code, err.message, err.errors));
    ctx.log().error({ err, event: options.event }, 'socket handler failed');
    reply(fail(fallback, ERRORS[fallback].title));
  };
  try {
    Promise.resolve(run(parsed.data)).then(reply, failed);
  } catch (err) {
    failed(err);
  }
}
