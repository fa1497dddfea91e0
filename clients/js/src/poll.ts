// One poll of GET /v1/client/config with If-None-Match: a new bundle, "unchanged"
// (304), or a failure with what the server said about retrying.
import { networkError, RemoteConfigError } from './errors.js';
import { authHeaders, type Bundle, errorFromResponse, readBundle, retryAfterMs } from './request.js';

export type PollResult =
  | { kind: 'bundle'; bundle: Bundle }
  | { kind: 'unchanged' }
  | { kind: 'failed'; error: RemoteConfigError; retryAfterMs: number | undefined };

export interface PollRequest {
  url: string;
  key: string;
  etag: string | undefined;
  fetch: typeof fetch;
  timeoutMs: number;
  /** Aborted by close(). */
  signal: AbortSignal;
}

export async function pollOnce(request: PollRequest): Promise<PollResult> {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  request.signal.addEventListener('abort', abort, { once: true });
  const timer = setTimeout(abort, request.timeoutMs);
  try {
    const headers: Record<string, string> = { ...authHeaders(request.key), Accept: 'application/json' };
    if (request.etag) headers['If-None-Match'] = `"${request.etag}"`;
    let response: Response;
    try {
      response = await request.fetch(request.url, { headers, signal: controller.signal });
    } catch (cause) {
      return { kind: 'failed', error: networkError(cause), retryAfterMs: undefined };
    }
    if (response.status === 304) return { kind: 'unchanged' };
    if (!response.ok) {
      return { kind: 'failed', error: await errorFromResponse(response, 'poll'), retryAfterMs: retryAfterMs(response) };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (cause) {
      const error = controller.signal.aborted
        ? networkError(cause)
        : new RemoteConfigError('bad_response', 'poll: the answer is not JSON', { status: response.status, cause });
      return { kind: 'failed', error, retryAfterMs: undefined };
    }
    const bundle = readBundle((body as { data?: unknown } | null)?.data);
    if (!bundle) {
      const error = new RemoteConfigError('bad_response', 'poll: the answer has no data.config and data.etag', {
        status: response.status,
      });
      return { kind: 'failed', error, retryAfterMs: undefined };
    }
    return { kind: 'bundle', bundle };
  } finally {
    clearTimeout(timer);
    request.signal.removeEventListener('abort', abort);
  }
}
