// Waiting for an SDK client's next onChange, with the time it took.
import type { ChangeEvent, RemoteConfigClient } from '@ambit/remote-config';

export interface TimedChange {
  event: ChangeEvent;
  /** ms from the call of nextChange to the event. */
  elapsedMs: number;
}

/**
 * Resolves with the next change that satisfies `matches` (any change by
 * default); rejects after `timeoutMs`.
 */
export function nextChange(
  client: RemoteConfigClient,
  timeoutMs: number,
  matches: (event: ChangeEvent) => boolean = () => true,
): Promise<TimedChange> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no matching onChange within ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = client.onChange((event) => {
      if (!matches(event)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve({ event, elapsedMs: performance.now() - started });
    });
  });
}
