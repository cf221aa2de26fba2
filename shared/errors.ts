/**
 * The error catalogue. HTTP answers carry these as RFC 9457 problem+json `code`; socket acks
 * carry them as `{ error: { code, message } }`. Codes are stable: clients switch on them.
 */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, title: 'The request has invalid fields' },
  MALFORMED_JSON: { status: 400, title: 'The body is not valid JSON' },
  INVALID_CURSOR: { status: 400, title: 'The cursor is not valid' },
  INVALID_HEADER: { status: 400, title: 'A header has an invalid value' },
  UNAUTHENTICATED: { status: 401, title: 'An API key is required' },
  FORBIDDEN: { status: 403, title: 'The API key lacks the scope for this action' },
  NOT_FOUND: { status: 404, title: 'No such resource' },
  HEADLINE_NOT_FOUND: { status: 404, title: 'No headline with this id' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  HEADLINE_FINAL: { status: 409, title: 'The headline is retracted or expired and cannot change' },
  INVALID_TRANSITION: { status: 409, title: 'The headline is not in a state that allows this' },
  VERSION_MISMATCH: { status: 412, title: 'The headline has changed since the version in If-Match' },
  CURSOR_EXPIRED: { status: 410, title: 'The cursor is older than the retained log or from a lost log; fetch a fresh snapshot' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The body must be application/json' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'This Idempotency-Key was used with a different request' },
  ENGINE_UNAVAILABLE: { status: 503, title: 'The store is unavailable; nothing was changed' },
  SHUTTING_DOWN: { status: 503, title: 'The server is shutting down; retry on another instance' },
  INTERNAL: { status: 500, title: 'Internal error' },
  UNKNOWN_EVENT: { status: 400, title: 'Unknown socket event' },
  TOO_MANY_CHANNELS: { status: 409, title: 'The socket already follows the most channels it may; unsubscribe first' },
  TOO_MANY_SUBSCRIBES: { status: 429, title: 'Too many subscribe calls on this socket; wait a minute' },
  TOO_MANY_BAD_EVENTS: { status: 400, title: 'Too many unknown or invalid socket events; the connection is closed' },
  OUTCOME_UNKNOWN: { status: 503, title: 'The store did not answer: the change may or may not have been applied' },
  RATE_LIMITED: { status: 429, title: 'Too many requests; retry after the time in Retry-After' },
  ORIGIN_NOT_ALLOWED: { status: 403, title: 'This origin or server is not on the allowlist' },
  FEED_NOT_FOUND: { status: 404, title: 'No feed subscription with this id' },
  FEED_URL_REFUSED: { status: 400, title: 'The feed URL is not allowed: only http(s), and no private or loopback addresses unless an admin allows them' },
  WEBHOOK_NOT_FOUND: { status: 404, title: 'No webhook with this id' },
  ROLE_FORBIDS: { status: 403, title: 'The role of this account does not allow this action' },
  PERSON_NOT_FOUND: { status: 404, title: 'No person with this id' },
  PERSON_NAME_TAKEN: { status: 409, title: 'A person with this name exists' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export interface FieldError {
  /** Dotted path of the failing field, e.g. "headline" or "infoSources.0.name". */
  field: string;
  message: string;
}

/** RFC 9457 problem details, with our stable `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

export const PROBLEM_TYPE_BASE = 'https://news-ticker.dev/problems/';

export function problemType(code: ErrorCode): string {
  return PROBLEM_TYPE_BASE + code.toLowerCase().replace(/_/g, '-');
}
