/**
 * Typed engine failures. The HTTP and socket layers switch on the class, never on a message:
 * - EngineUnavailableError: the change was NOT applied (nothing was sent, or the store refused it
 *   before running it). Safe to report as "not published".
 * - OutcomeUnknownError: the change was sent and no answer came back (connection lost mid-flight,
 *   command timeout). It may have been applied, or may still be; the caller must resolve it by
 *   retrying with the same Idempotency-Key or by looking the headline up.
 */
export class EngineUnavailableError extends Error {
  constructor(message = 'the store is unavailable', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineUnavailableError';
  }
}

export class OutcomeUnknownError extends Error {
  constructor(message = 'the store did not answer; the change may or may not be applied', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutcomeUnknownError';
  }
}
