// The loop that keeps a client's bundle current: the event stream while it
// works, ETag polling while it does not, and backoff with full jitter after
// failures. It never throws; it ends on close() or on a fatal error.
import type { RemoteConfigError } from './errors.js';
import { pollOnce } from './poll.js';
import { type Bundle, endpointUrl } from './request.js';
import type { Settings } from './settings.js';
import { streamOnce } from './stream.js';
import { backoffDelay, jittered, sleep } from './timing.js';
import type { ClientStatus } from './types.js';

/** What the loop needs from the client. */
export interface SyncTarget {
  /** The etag of the values held. */
  etag(): string | undefined;
  apply(bundle: Bundle, source: 'stream' | 'poll'): void;
  setStatus(status: ClientStatus): void;
  /** A failure the loop retries after. */
  report(error: RemoteConfigError): void;
  /** A failure that ends the loop: the key does not work, or the request is refused. */
  stop(error: RemoteConfigError): void;
}

/** Without a `retry:` hint, a stream that worked is reopened after about this long. */
const DEFAULT_RECONNECT_MS = 1_000;
/** Connections in a row that received nothing before the client polls instead. */
const STREAM_ATTEMPTS_BEFORE_POLLING = 2;

export async function keepInSync(settings: Settings, target: SyncTarget, signal: AbortSignal): Promise<void> {
  const pollUrl = endpointUrl(settings.url, '/v1/client/config', settings.query);
  const streamUrl = endpointUrl(settings.url, '/v1/client/config/stream', settings.query);
  let failures = 0; // failed requests in a row, for the backoff
  let silentStreams = 0; // stream connections in a row that received nothing
  let streamAfter = settings.stream ? 0 : Infinity; // when the stream may be tried (again)

  while (!signal.aborted) {
    if (Date.now() >= streamAfter) {
      const outcome = await streamOnce({
        url: streamUrl,
        key: settings.key,
        lastEventId: target.etag(),
        fetch: settings.fetch,
        idleTimeoutMs: settings.streamIdleTimeoutMs,
        signal,
        onOpen: () => target.setStatus('streaming'),
        onBundle: (bundle) => target.apply(bundle, 'stream'),
      });
      switch (outcome.kind) {
        case 'closed':
          return;
        case 'fatal':
          target.stop(outcome.error);
          return;
        case 'ended': // the server is going away: reconnect (to another process) after its hint
          failures = 0;
          silentStreams = 0;
          target.setStatus('connecting');
          await sleep(reconnectDelay(outcome.retryMs), signal);
          continue;
        case 'unsupported':
          target.report(outcome.error);
          silentStreams = STREAM_ATTEMPTS_BEFORE_POLLING;
          streamAfter = Date.now() + jittered(settings.streamRetryMs);
          break; // poll now
        case 'failed':
          target.report(outcome.error);
          if (outcome.delivered) {
            failures = 0;
            silentStreams = 0;
            target.setStatus('connecting');
            await sleep(reconnectDelay(outcome.retryMs), signal);
            continue;
          }
          failures++;
          silentStreams++;
          if (silentStreams < STREAM_ATTEMPTS_BEFORE_POLLING) {
            target.setStatus('offline');
            await sleep(backoffDelay(failures, settings.backoff, outcome.retryMs), signal);
            continue;
          }
          streamAfter = Date.now() + jittered(settings.streamRetryMs);
          break; // poll now; a proxy may break streaming but let requests through
      }
    }

    const result = await pollOnce({
      url: pollUrl,
      key: settings.key,
      etag: target.etag(),
      fetch: settings.fetch,
      timeoutMs: settings.requestTimeoutMs,
      signal,
    });
    if (signal.aborted) return;
    let delay: number;
    if (result.kind === 'failed') {
      if (result.error.fatal) {
        target.stop(result.error);
        return;
      }
      failures++;
      target.report(result.error);
      target.setStatus('offline');
      delay = backoffDelay(failures, settings.backoff, result.retryAfterMs);
    } else {
      failures = 0;
      if (result.kind === 'bundle') target.apply(result.bundle, 'poll');
      target.setStatus('polling');
      delay = jittered(settings.pollIntervalMs);
    }
    // Wake up in time for the next try of the stream.
    await sleep(Math.min(delay, Math.max(0, streamAfter - Date.now())), signal);
  }
}

/** The server's hint (or 1 s), stretched by up to 100 % so that its clients do not return at once. */
function reconnectDelay(retryMs: number | undefined): number {
  const base = retryMs ?? DEFAULT_RECONNECT_MS;
  return base * (1 + Math.random());
}
