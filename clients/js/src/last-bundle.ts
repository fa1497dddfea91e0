// The last bundle, kept in a ConfigStorage so that a restart serves the last
// known values while offline. One entry per server, key and context; its
// name is a hash, so the key itself is never stored.
import { RemoteConfigError } from './errors.js';
import { type Bundle, readBundle } from './request.js';
import type { ConfigStorage } from './types.js';

const NAME_PREFIX = 'ambit-remote-config:';
const FORMAT = 1;

export class LastBundle {
  private constructor(
    private readonly storage: ConfigStorage,
    private readonly name: string,
  ) {}

  static async open(storage: ConfigStorage, url: string, key: string, query: string): Promise<LastBundle> {
    return new LastBundle(storage, NAME_PREFIX + (await entryId(url, key, query)));
  }

  /** The stored bundle, or undefined when there is none (or it cannot be read). */
  async load(): Promise<Bundle | undefined> {
    let text: string | null | undefined;
    try {
      text = await this.storage.getItem(this.name);
    } catch (cause) {
      throw new RemoteConfigError('storage', 'could not load the last bundle', { cause });
    }
    if (!text) return undefined;
    try {
      const stored = JSON.parse(text) as { format?: unknown };
      return stored.format === FORMAT ? readBundle(stored) : undefined;
    } catch {
      return undefined;
    }
  }

  async save(bundle: Bundle): Promise<void> {
    const text = JSON.stringify({ format: FORMAT, etag: bundle.etag, config: bundle.config, saved_at: new Date().toISOString() });
    try {
      await this.storage.setItem(this.name, text);
    } catch (cause) {
      throw new RemoteConfigError('storage', 'could not save the last bundle', { cause });
    }
  }
}

/**
 * SHA-256 of url, key and context (first 128 bits, hex). Where Web Crypto is
 * missing (a browser page served over plain HTTP from another host), the
 * key's public prefix (the part the admin API shows) stands in for the key.
 */
async function entryId(url: string, key: string, query: string): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return `${url}|${key.slice(0, Math.min(22, Math.floor(key.length / 2)))}|${query}`;
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(`${url}\n${key}\n${query}`));
  return Array.from(new Uint8Array(digest).slice(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
}
