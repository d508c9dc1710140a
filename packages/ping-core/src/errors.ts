export type ErrorCode =
  | 'bad_request'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'headers_too_large'
  | 'request_timeout'
  | 'bad_gateway'
  | 'gateway_timeout'
  | 'loop_detected'
  | 'internal_error';

/**
 * The one error type of the services. It is thrown where a failure is
 * detected and reaches the caller unchanged; `hop` names the service that
 * failed (the hostname of its URL) for chain failures.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly hop?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

/** The JSON body every error response carries. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
  hop?: string;
  requestId: string;
}

export function isErrorBody(value: unknown): value is Omit<ErrorBody, 'requestId'> {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Record<string, unknown>;
  return typeof body.error === 'string' && typeof body.message === 'string' && (body.hop === undefined || typeof body.hop === 'string');
}
