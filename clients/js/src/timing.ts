// Delays: backoff with full jitter after failures, jittered intervals, and a
// sleep that close() can cut short. Jitter keeps many clients that failed
// together (a server restart) from coming back together.

export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
}

/**
 * The delay before retry number `failures` (1 after the first failure): a
 * random time in [0, min(max, initial * 2^(failures-1))] ("full jitter"). A
 * server's Retry-After is a floor.
 */
export function backoffDelay(failures: number, settings: BackoffSettings, retryAfterMs?: number): number {
  const ceiling = Math.min(settings.maxMs, settings.initialMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
  const delay = Math.random() * ceiling;
  return retryAfterMs === undefined ? delay : Math.max(delay, retryAfterMs);
}

/** `ms` ± `fraction` of it, at random. */
export function jittered(ms: number, fraction = 0.1): number {
  return ms * (1 - fraction + 2 * fraction * Math.random());
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
  });
}
