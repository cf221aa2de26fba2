/** RFC 9457 problem+json rendering and the error middleware. Never a stack trace to the client. */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { ERRORS, problemType, type ErrorCode, type FieldError, type Problem } from '../../shared/index.js';
import { AppError } from '../domain/errors.js';
import { EngineUnavailableError, OutcomeUnknownError } from '../engine/errors.js';

export function sendProblem(req: Request, res: Response, code: ErrorCode, detail?: string, errors?: FieldError[]): void {
  const { status, title } = ERRORS[code];
  const body: Problem = { type: problemType(code), title, status, code, instance: req.originalUrl.split('?')[0] ?? '/' };
  if (detail) body.detail = detail;
  if (errors?.length) body.errors = errors;
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

export function fieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.map((i) => ({ field: prefix + (i.path.join('.') || '(body)'), message: i.message }));
}

/** Parses with a schema or throws a VALIDATION_FAILED AppError naming the failing fields. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError('VALIDATION_FAILED', 'some fields are invalid', fieldErrors(result.error, prefix));
  return result.data;
}

export const notFound: RequestHandler = (req, res) => sendProblem(req, res, 'NOT_FOUND', `no route for ${req.method} ${req.path}`);

interface BodyParserError {
  type?: string;
  status?: number;
}

export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  if (res.headersSent) return;
  if (err instanceof AppError) {
    req.log.info({ code: err.code }, err.message);
    return sendProblem(req, res, err.code, err.message === err.code ? undefined : err.message, err.errors);
  }
  const type = (err as BodyParserError | undefined)?.type;
  if (type === 'entity.parse.failed') return sendProblem(req, res, 'MALFORMED_JSON', 'the body is not valid JSON');
  if (type === 'entity.too.large') return sendProblem(req, res, 'PAYLOAD_TOO_LARGE');
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') return sendProblem(req, res, 'UNSUPPORTED_MEDIA_TYPE');
  const status = (err as BodyParserError | undefined)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    req.log.info({ err }, 'client error');
    return sendProblem(req, res, 'VALIDATION_FAILED', 'the request could not be read');
  }
  if (err instanceof OutcomeUnknownError) {
    req.log.error({ err }, 'store did not answer; outcome unknown');
    return sendProblem(req, res, 'OUTCOME_UNKNOWN', OUTCOME_UNKNOWN_DETAIL);
  }
  if (err instanceof EngineUnavailableError) {
    req.log.error({ err }, 'store unavailable');
    return sendProblem(req, res, 'ENGINE_UNAVAILABLE', 'nothing was changed; it is safe to send the request again');
  }
  req.log.error({ err }, 'unhandled error');
  sendProblem(req, res, 'INTERNAL');
};

export const OUTCOME_UNKNOWN_DETAIL =
  'the change was sent to the store and no answer came back: it may have been applied. Resolve it by sending the same ' +
  'request again with the same Idempotency-Key (it is applied at most once), or by looking the headline up ' +
  '(GET /api/v1/headlines/{id} with your key, or the channel desk); do not send it again without a key';
