// One connection to GET /v1/client/config/stream, read until it ends: fetch
// with a streamed body (EventSource cannot send the credential header), an
// idle timer that declares a silent connection dead, and what the end means
// for the next step.
import { networkError, RemoteConfigError } from './errors.js';
import { authHeaders, type Bundle, errorFromResponse, readBundle, retryAfterMs } from './request.js';
import { SseParser } from './sse.js';

export type StreamOutcome =
  /** The key does not work, or the server refuses the request: stop everything. */
  | { kind: 'fatal'; error: RemoteConfigError }
  /** The server has no stream (an older server, a proxy in the way): poll instead. */
  | { kind: 'unsupported'; error: RemoteConfigError }
  /** The server ended the stream and asked for a reconnect (`shutting_down`). */
  | { kind: 'ended'; retryMs: number | undefined }
  /** The connection failed or died; `delivered`: it had received data. */
  | { kind: 'failed'; error: RemoteConfigError; delivered: boolean; retryMs: number | undefined }
  /** close() was called. */
  | { kind: 'closed' };

export interface StreamRequest {
  url: string;
  key: string;
  /** The etag held: the server sends the bundle only when it differs. */
  lastEventId: string | undefined;
  fetch: typeof fetch;
  idleTimeoutMs: number;
  /** Aborted by close(). */
  signal: AbortSignal;
  /** The server accepted the stream. */
  onOpen(): void;
  onBundle(bundle: Bundle): void;
}

/** The reasons of an `end` event after which the key will not work again. */
interface EndEvent {
  reason?: unknown;
  message?: unknown;
  reconnect?: unknown;
}

export async function streamOnce(request: StreamRequest): Promise<StreamOutcome> {
  const controller = new AbortController();
  const closeStream = (): void => controller.abort();
  request.signal.addEventListener('abort', closeStream, { once: true });
  let idle = false;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const armIdleTimer = (): void => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      idle = true;
      controller.abort();
    }, request.idleTimeoutMs);
  };
  let delivered = false;
  let retryMs: number | undefined;
  const failed = (error: RemoteConfigError): StreamOutcome => ({ kind: 'failed', error, delivered, retryMs });
  try {
    armIdleTimer();
    const headers: Record<string, string> = {
      ...authHeaders(request.key),
      Accept: 'text/event-stream',
      'Cache-Control': 'no-cache',
    };
    if (request.lastEventId) headers['Last-Event-ID'] = request.lastEventId;
    const response = await request.fetch(request.url, { headers, signal: controller.signal });
    if (!response.ok) {
      const error = await errorFromResponse(response, 'stream');
      if (error.fatal) return { kind: 'fatal', error };
      if ([404, 405, 501].includes(response.status)) return { kind: 'unsupported', error };
      return { kind: 'failed', error, delivered, retryMs: retryAfterMs(response) };
    }
    const type = response.headers.get('content-type') ?? '';
    if (!type.toLowerCase().startsWith('text/event-stream') || !response.body) {
      await response.body?.cancel().catch(() => {});
      const error = new RemoteConfigError('bad_response', `stream: answered ${type || 'no content type'}`, {
        status: response.status,
      });
      return { kind: 'unsupported', error };
    }
    request.onOpen();

    let outcome: StreamOutcome | undefined;
    const parser = new SseParser({
      onRetry: (ms) => {
        retryMs = ms;
      },
      onEvent: (event) => {
        if (outcome) return;
        if (event.event === 'config') {
          const bundle = readBundle(parseJson(event.data));
          if (bundle) request.onBundle(bundle);
          else outcome = failed(new RemoteConfigError('bad_response', 'stream: a config event without config and etag'));
        } else if (event.event === 'end') {
          outcome = endOutcome(parseJson(event.data) as EndEvent | undefined, retryMs);
        }
      },
    });
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    while (!outcome) {
      const { done, value } = await reader.read();
      if (done) break;
      delivered = true;
      armIdleTimer();
      parser.push(decoder.decode(value, { stream: true }));
    }
    if (outcome) {
      await reader.cancel().catch(() => {});
      return outcome;
    }
    return failed(new RemoteConfigError('network', 'stream: the server closed the connection without an end event'));
  } catch (cause) {
    if (request.signal.aborted) return { kind: 'closed' };
    if (idle) {
      return failed(new RemoteConfigError('network', `stream: nothing received for ${request.idleTimeoutMs} ms`));
    }
    return failed(networkError(cause));
  } finally {
    clearTimeout(idleTimer);
    request.signal.removeEventListener('abort', closeStream);
    controller.abort(); // releases the connection whatever happened
  }
}

function endOutcome(end: EndEvent | undefined, retryMs: number | undefined): StreamOutcome {
  const reason = typeof end?.reason === 'string' ? end.reason : 'unknown';
  const said = typeof end?.message === 'string' ? `: ${end.message}` : '';
  if (end?.reconnect === false) {
    const error = new RemoteConfigError('unauthorized', `stream ended (${reason})${said}`, { reason, fatal: true });
    return { kind: 'fatal', error };
  }
  return { kind: 'ended', retryMs };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
