// InitOptions checked and completed with the defaults. A programmer error (no
// url, no key, a bad context) throws here, so init() rejects with it.
import { fileStorage } from './file-storage.js';
import { checkContext, contextQuery } from './request.js';
import type { ConfigStorage, InitOptions } from './types.js';

export interface Settings {
  url: string; // the base, without a trailing slash
  key: string;
  query: string; // the context as query string
  storage: ConfigStorage | undefined;
  stream: boolean;
  pollIntervalMs: number;
  initTimeoutMs: number;
  streamIdleTimeoutMs: number;
  streamRetryMs: number;
  backoff: { initialMs: number; maxMs: number };
  requestTimeoutMs: number;
  fetch: typeof fetch;
}

export function resolveSettings(options: InitOptions): Settings {
  if (typeof options !== 'object' || options === null) throw new TypeError('init: options are required');
  const { url, key } = options;
  if (typeof url !== 'string' || !/^https?:\/\/[^/]/i.test(url)) {
    throw new TypeError('init: url must be an http(s) URL, e.g. https://api.example.com');
  }
  if (typeof key !== 'string' || key.trim() === '') throw new TypeError('init: key (a project API key) is required');
  checkContext(options.context ?? {});
  if (options.cacheFile !== undefined && options.storage !== undefined) {
    throw new TypeError('init: give storage or cacheFile, not both');
  }
  const fetchFunction = options.fetch ?? globalThis.fetch;
  if (typeof fetchFunction !== 'function') throw new TypeError('init: no fetch here; pass options.fetch');
  return {
    url: url.replace(/\/+$/, ''),
    key,
    query: contextQuery(options.context ?? {}),
    storage: chooseStorage(options),
    stream: options.stream ?? true,
    pollIntervalMs: duration(options.pollIntervalMs, 'pollIntervalMs', 30_000, 100),
    initTimeoutMs: duration(options.initTimeoutMs, 'initTimeoutMs', 5_000),
    streamIdleTimeoutMs: duration(options.streamIdleTimeoutMs, 'streamIdleTimeoutMs', 45_000, 100),
    streamRetryMs: duration(options.streamRetryMs, 'streamRetryMs', 60_000),
    backoff: {
      initialMs: duration(options.backoffInitialMs, 'backoffInitialMs', 1_000),
      maxMs: duration(options.backoffMaxMs, 'backoffMaxMs', 60_000),
    },
    requestTimeoutMs: duration(options.requestTimeoutMs, 'requestTimeoutMs', 30_000, 100),
    // Called as a plain function: a browser's fetch refuses another `this`.
    fetch: (input, init) => fetchFunction(input, init),
  };
}

function chooseStorage(options: InitOptions): ConfigStorage | undefined {
  if (options.cacheFile !== undefined) {
    if (typeof options.cacheFile !== 'string' || options.cacheFile === '') {
      throw new TypeError('init: cacheFile must be a file path');
    }
    return fileStorage(options.cacheFile);
  }
  if (options.storage === null) return undefined;
  if (options.storage !== undefined) {
    if (typeof options.storage.getItem !== 'function' || typeof options.storage.setItem !== 'function') {
      throw new TypeError('init: storage needs getItem and setItem');
    }
    return options.storage;
  }
  // A browser page's localStorage; Node.js (whose newer versions have a
  // localStorage of their own, tied to a flag) keeps nothing unless asked.
  if (typeof (globalThis as { document?: unknown }).document === 'undefined') return undefined;
  try {
    return globalThis.localStorage ?? undefined; // reading it throws where the page may not use it
  } catch {
    return undefined;
  }
}

/** A duration option in ms; `minimum` keeps a client from polling the server in a tight loop. */
function duration(value: number | undefined, name: string, fallback: number, minimum = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum) {
    throw new TypeError(`init: ${name} must be a number of milliseconds >= ${minimum}`);
  }
  return value;
}
