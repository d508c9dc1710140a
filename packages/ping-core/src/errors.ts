import { ERROR_STATUS, type ErrorCode } from '@ping-pong/contract';

/**
 * The one error type of the services. It is thrown where a failure is
 * detected and reaches the caller unchanged; its code decides its status (the
 * contract's ERROR_STATUS), and `hop` names the service that failed (the
 * hostname of its URL) for chain failures.
 */
export class HttpError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hop?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpError';
    this.status = ERROR_STATUS[code];
  }
}
