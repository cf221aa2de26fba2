import type { ErrorCode, FieldError } from '../../shared/index.js';

/** An error with a stable code from the catalogue; HTTP and socket layers render it. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly errors?: FieldError[],
  ) {
    super(message ?? code);
    this.name = 'AppError';
  }
}
