// The public types of the SDK. Everything a caller passes in or gets back is
// declared here; the other files hold the behaviour.
import type { RemoteConfigError } from './errors.js';

/** A value as JSON can carry it: what a config key holds. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The evaluated config: one value per key, as the server chose it for this client. */
export type ConfigValues = Readonly<Record<string, JsonValue>>;

/**
 * Who is asking. The server evaluates segments and percentage rollouts
 * against it; each field becomes a query parameter of the client endpoint.
 */
export interface ClientContext {
  /** `user_id`: user_id rules and percentage rollouts (without it, no rollout matches). */
  userId?: string;
  /** `platform`: compared case-insensitively (`ios`, `android`, `web`, ...). */
  platform?: string;
  /** `app_version`: semver rules. */
  appVersion?: string;
  /** `country`: compared case-insensitively (`DE`). */
  country?: string;
  /** `attr.<name>`: custom attributes; names are 1-64 of `[A-Za-z0-9_.-]`. */
  attributes?: Readonly<Record<string, string>>;
}

/**
 * Where the last bundle is kept between runs. `localStorage` fits as it is; so
 * does any object with these two methods, synchronous or not.
 */
export interface ConfigStorage {
  getItem(name: string): string | null | undefined | Promise<string | null | undefined>;
  setItem(name: string, value: string): void | Promise<void>;
}

export interface InitOptions {
  /** The server's base URL, e.g. `https://api.example.com`. */
  url: string;
  /** A project API key: a client key (`amb_client_ck_…`) in apps, or a server key. */
  key: string;
  /** The client's context; the same for the client's whole life. */
  context?: ClientContext;
  /**
   * Where to keep the last bundle. Default: `globalThis.localStorage` when
   * there is one (browsers), else nothing. `null` keeps nothing.
   */
  storage?: ConfigStorage | null;
  /** Node.js: keep the last bundle in this JSON file instead (written atomically, mode 0600). */
  cacheFile?: string;
  /** Use the event stream (default `true`); `false` polls only. */
  stream?: boolean;
  /** Time between polls while polling, in ms (default 30000; each wait is jittered by ±10 %). */
  pollIntervalMs?: number;
  /** How long `init` waits for the first bundle when none is stored, in ms (default 5000). */
  initTimeoutMs?: number;
  /** A stream that receives nothing for this long (not even a heartbeat) is reconnected, in ms (default 45000). */
  streamIdleTimeoutMs?: number;
  /** After the stream failed, poll this long before trying it again, in ms (default 60000). */
  streamRetryMs?: number;
  /** First delay after a failure, in ms (default 1000); it doubles per failure, with full jitter. */
  backoffInitialMs?: number;
  /** The longest delay after failures, in ms (default 60000). */
  backoffMaxMs?: number;
  /** A single poll that takes longer than this is abandoned, in ms (default 30000). */
  requestTimeoutMs?: number;
  /** Receives every error from the start, before `init` resolves too. */
  onError?: (error: RemoteConfigError) => void;
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: typeof fetch;
}

/** Where a new bundle came from. */
export type ChangeSource = 'stream' | 'poll' | 'storage';

/** Given to `onChange` listeners when values changed. */
export interface ChangeEvent {
  /** The keys added, changed or removed, sorted. Never empty. */
  keys: string[];
  /** Every value now. */
  config: ConfigValues;
  /** Every value before. */
  previous: ConfigValues;
  source: ChangeSource;
}

/**
 * - `connecting`: no answer from the server yet (or reconnecting the stream);
 * - `streaming`: the event stream is open;
 * - `polling`: the stream is not available, the last poll answered;
 * - `offline`: the last request failed; retrying with backoff, serving the last values;
 * - `stopped`: the key does not work (revoked, unknown, project archived or
 *   deleted, or a request the server refuses): no more requests, the last values are served;
 * - `closed`: `close()` was called.
 */
export type ClientStatus = 'connecting' | 'streaming' | 'polling' | 'offline' | 'stopped' | 'closed';

export type ChangeListener = (event: ChangeEvent) => void;
export type ErrorListener = (error: RemoteConfigError) => void;
