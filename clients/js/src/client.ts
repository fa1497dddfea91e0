// The client an app holds: the current values behind typed getters, the
// listeners, the status, and the lifecycle (start, stop on a fatal error, close).
import { RemoteConfigError } from './errors.js';
import { LastBundle } from './last-bundle.js';
import type { Bundle } from './request.js';
import type { Settings } from './settings.js';
import { keepInSync, type SyncTarget } from './sync.js';
import { sleep } from './timing.js';
import type {
  ChangeListener,
  ChangeSource,
  ClientStatus,
  ConfigValues,
  ErrorListener,
  JsonValue,
} from './types.js';

export class RemoteConfigClient {
  readonly #settings: Settings;
  readonly #closer = new AbortController();
  readonly #changeListeners = new Set<ChangeListener>();
  readonly #errorListeners = new Set<ErrorListener>();
  #config: ConfigValues = Object.freeze({});
  #etag: string | undefined;
  #status: ClientStatus = 'connecting';
  #lastError: RemoteConfigError | null = null;
  #lastBundle: LastBundle | undefined;
  #saving: Promise<void> = Promise.resolve();
  #loop: Promise<void> = Promise.resolve();
  #started = false;
  #settled = (): void => {}; // resolves start() once values are there or the client stopped

  /** @internal Use `init()`. */
  constructor(settings: Settings, onError?: ErrorListener) {
    this.#settings = settings;
    if (onError) this.#errorListeners.add(onError);
  }

  /** @internal Loads the stored bundle, starts the loop, waits for values (or the init timeout). Once. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const ready = new Promise<void>((resolve) => (this.#settled = resolve));
    const { storage } = this.#settings;
    if (storage) {
      try {
        this.#lastBundle = await LastBundle.open(storage, this.#settings.url, this.#settings.key, this.#settings.query);
        const stored = await this.#lastBundle.load();
        if (stored) this.#apply(stored, 'storage');
      } catch (error) {
        this.#report(asError(error));
      }
    }
    this.#loop = keepInSync(this.#settings, this.#syncTarget(), this.#closer.signal);
    const timeout = new AbortController();
    await Promise.race([ready, sleep(this.#settings.initTimeoutMs, timeout.signal)]);
    timeout.abort();
  }

  /** The value of `key` when it is a string, else `fallback`. */
  getString(key: string, fallback: string): string {
    const value = this.#read(key);
    return typeof value === 'string' ? value : fallback;
  }

  /** The value of `key` when it is a (finite) number, else `fallback`. */
  getNumber(key: string, fallback: number): number {
    const value = this.#read(key);
    return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
  }

  /** The value of `key` when it is a boolean, else `fallback`. */
  getBoolean(key: string, fallback: boolean): boolean {
    const value = this.#read(key);
    return typeof value === 'boolean' ? value : fallback;
  }

  /**
   * The value of `key` (frozen), or `fallback` when the key is missing or its
   * value is of another JSON kind than `fallback` (object, array, string,
   * number, boolean; a `null` fallback accepts any kind). `isValid`, when
   * given, decides instead of the kind.
   */
  getJSON<T>(key: string, fallback: T, isValid?: (value: unknown) => value is T): T {
    const value = this.#read(key);
    if (value === undefined) return fallback;
    if (isValid) return isValid(value) ? value : fallback;
    if (fallback === null || fallback === undefined) return value as T;
    return jsonKind(value) === jsonKind(fallback) ? (value as T) : fallback;
  }

  /** Every value (frozen). */
  getAll(): ConfigValues {
    return this.#config;
  }

  /** The etag of the values served, or undefined before any. */
  get etag(): string | undefined {
    return this.#etag;
  }

  get status(): ClientStatus {
    return this.#status;
  }

  /** The last error reported, or null. */
  get lastError(): RemoteConfigError | null {
    return this.#lastError;
  }

  /** Calls `listener` after values changed; returns the function that removes it. */
  onChange(listener: ChangeListener): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /** Calls `listener` for each error (see RemoteConfigError); returns the function that removes it. */
  onError(listener: ErrorListener): () => void {
    this.#errorListeners.add(listener);
    return () => this.#errorListeners.delete(listener);
  }

  /** Stops the stream and the polling; resolves once the last bundle is saved. Values stay readable. */
  async close(): Promise<void> {
    if (this.#status !== 'closed') {
      this.#status = 'closed';
      this.#closer.abort();
      this.#settled();
    }
    await this.#loop;
    await this.#saving;
  }

  /** The value of `key`; own keys only, so `toString` is not a value. */
  #read(key: string): JsonValue | undefined {
    return Object.prototype.hasOwnProperty.call(this.#config, key) ? this.#config[key] : undefined;
  }

  #syncTarget(): SyncTarget {
    return {
      etag: () => this.#etag,
      apply: (bundle, source) => this.#apply(bundle, source),
      setStatus: (status) => {
        if (this.#status !== 'closed' && this.#status !== 'stopped') this.#status = status;
      },
      report: (error) => this.#report(error),
      stop: (error) => {
        if (this.#status === 'closed') return;
        this.#status = 'stopped';
        this.#report(error);
        this.#settled();
      },
    };
  }

  #apply(bundle: Bundle, source: ChangeSource): void {
    if (this.#closer.signal.aborted && source !== 'storage') return;
    const previous = this.#config;
    const config = deepFreeze({ ...bundle.config }) as ConfigValues;
    const keys = changedKeys(previous, config);
    const etagChanged = bundle.etag !== this.#etag;
    this.#config = config;
    this.#etag = bundle.etag;
    if (source !== 'storage' && etagChanged) this.#save(bundle);
    this.#settled();
    if (keys.length === 0) return;
    const event = { keys, config, previous, source };
    for (const listener of [...this.#changeListeners]) {
      try {
        listener(event);
      } catch (cause) {
        this.#report(new RemoteConfigError('listener', 'an onChange listener threw', { cause }));
      }
    }
  }

  #save(bundle: Bundle): void {
    const lastBundle = this.#lastBundle;
    if (!lastBundle) return;
    this.#saving = this.#saving.then(() => lastBundle.save(bundle)).catch((error: unknown) => this.#report(asError(error)));
  }

  #report(error: RemoteConfigError): void {
    this.#lastError = error;
    for (const listener of [...this.#errorListeners]) {
      try {
        listener(error);
      } catch {
        // An error listener that throws has nobody to tell.
      }
    }
  }
}

function asError(error: unknown): RemoteConfigError {
  return error instanceof RemoteConfigError
    ? error
    : new RemoteConfigError('storage', 'the last bundle could not be used', { cause: error });
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/** Keys added, removed, or whose value differs (compared as JSON), sorted. */
function changedKeys(before: ConfigValues, after: ConfigValues): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key])).sort();
}

function deepFreeze(value: JsonValue | Record<string, JsonValue>): JsonValue | Record<string, JsonValue> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
