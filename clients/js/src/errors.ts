// The one error type the SDK reports (through onError and client.lastError).
// Messages never carry the key: they are built from statuses, the server's
// error code and reason, and the network layer's own message.

/**
 * - `network`: no answer (refused, DNS, timeout, a body cut off);
 * - `unauthorized`: the key does not work: a 401, or the stream ended for
 *   good (`revoked`, `expired`, `unknown`, `project_archived`, `project_deleted`);
 * - `invalid_request`: the server refused the request (400): the context is invalid;
 * - `not_active`: the project is not active yet (503 `PROJECT_NOT_ACTIVE`);
 * - `http`: another unexpected status;
 * - `bad_response`: an answer that could not be read;
 * - `storage`: the last bundle could not be loaded or saved;
 * - `listener`: an onChange listener threw.
 */
export type ErrorCode =
  | 'network'
  | 'unauthorized'
  | 'invalid_request'
  | 'not_active'
  | 'http'
  | 'bad_response'
  | 'storage'
  | 'listener';

export interface RemoteConfigErrorInit {
  /** The HTTP status, when there was an answer. */
  status?: number;
  /** The server's `error.code` (`unauthenticated`, `PROJECT_NOT_ACTIVE`, ...). */
  serverCode?: string;
  /** The server's `details.reason` of a 401, or the `reason` of a stream's `end` event. */
  reason?: string;
  /** True when the client stopped because of it. */
  fatal?: boolean;
  cause?: unknown;
}

export class RemoteConfigError extends Error {
  readonly code: ErrorCode;
  readonly status: number | undefined;
  readonly serverCode: string | undefined;
  readonly reason: string | undefined;
  readonly fatal: boolean;

  constructor(code: ErrorCode, message: string, init: RemoteConfigErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'RemoteConfigError';
    this.code = code;
    this.status = init.status;
    this.serverCode = init.serverCode;
    this.reason = init.reason;
    this.fatal = init.fatal ?? false;
  }
}

/** The network layer's words for a failed fetch, e.g. `connect ECONNREFUSED 127.0.0.1:1`. */
export function networkError(cause: unknown): RemoteConfigError {
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause;
  const text = inner instanceof Error ? inner.message : String(inner);
  return new RemoteConfigError('network', `network error: ${text}`, { cause });
}
