// @ambit/remote-config: an ambit project's remote config in an app (Node.js
// >= 20 and browsers). `init` returns a client with typed getters that stays
// current through the event stream, or ETag polling where there is no stream.
import { RemoteConfigClient } from './client.js';
import { resolveSettings } from './settings.js';
import type { InitOptions } from './types.js';

/**
 * Creates a client and resolves once it has values: the first bundle from
 * the server, or the last one stored, or after `initTimeoutMs` with none
 * (the getters then answer their defaults). Network trouble never rejects;
 * missing or invalid options (no url, no key, a bad context) do.
 */
export async function init(options: InitOptions): Promise<RemoteConfigClient> {
  const client = new RemoteConfigClient(resolveSettings(options), options.onError);
  await client.start();
  return client;
}

export { RemoteConfigClient } from './client.js';
export { type ErrorCode, RemoteConfigError } from './errors.js';
export type {
  ChangeEvent,
  ChangeListener,
  ChangeSource,
  ClientContext,
  ClientStatus,
  ConfigStorage,
  ConfigValues,
  ErrorListener,
  InitOptions,
  JsonValue,
} from './types.js';
