// What both transports share: the URL with the context as query, the
// credential header, and reading the server's error envelope into an error.
import { RemoteConfigError } from './errors.js';
import type { ClientContext, ConfigValues } from './types.js';

/** A config bundle as both endpoints send it (`data` of the poll, `data:` of a `config` event). */
export interface Bundle {
  config: ConfigValues;
  etag: string;
}

const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_PARAMETER_LENGTH = 256;

/** Throws a TypeError for a context the server would refuse (a programmer error). */
export function checkContext(context: ClientContext): void {
  const fields: [string, unknown][] = [
    ['userId', context.userId],
    ['platform', context.platform],
    ['appVersion', context.appVersion],
    ['country', context.country],
  ];
  for (const [name, value] of fields) {
    if (value !== undefined && typeof value !== 'string') throw new TypeError(`context.${name} must be a string`);
    if (typeof value === 'string' && value.length > MAX_PARAMETER_LENGTH) {
      throw new TypeError(`context.${name} is longer than ${MAX_PARAMETER_LENGTH} characters`);
    }
  }
  for (const [name, value] of Object.entries(context.attributes ?? {})) {
    if (!ATTRIBUTE_NAME.test(name)) throw new TypeError(`context.attributes: invalid name "${name}"`);
    if (typeof value !== 'string') throw new TypeError(`context.attributes.${name} must be a string`);
    if (value.length > MAX_PARAMETER_LENGTH) {
      throw new TypeError(`context.attributes.${name} is longer than ${MAX_PARAMETER_LENGTH} characters`);
    }
  }
}

/** The context as the client endpoints' query string (without `?`), in a stable order. */
export function contextQuery(context: ClientContext): string {
  const query = new URLSearchParams();
  if (context.userId) query.set('user_id', context.userId);
  if (context.platform) query.set('platform', context.platform);
  if (context.appVersion) query.set('app_version', context.appVersion);
  if (context.country) query.set('country', context.country);
  for (const name of Object.keys(context.attributes ?? {}).sort()) {
    query.set(`attr.${name}`, context.attributes?.[name] ?? '');
  }
  return query.toString();
}

/** `base` + `path` + query; a base with a path of its own (`https://host/ambit/`) keeps it. */
export function endpointUrl(base: string, path: string, query: string): string {
  return base.replace(/\/+$/, '') + path + (query ? `?${query}` : '');
}

export function authHeaders(key: string): Record<string, string> {
  return { Authorization: `Bearer ${key}` };
}

/** Reads `{config, etag}` out of parsed JSON, or returns undefined when it is not one. */
export function readBundle(value: unknown): Bundle | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { config, etag } = value as { config?: unknown; etag?: unknown };
  if (typeof config !== 'object' || config === null || Array.isArray(config) || typeof etag !== 'string') {
    return undefined;
  }
  return { config: config as ConfigValues, etag };
}

/** Retry-After in ms (seconds or an HTTP date), or undefined. */
export function retryAfterMs(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (header === null) return undefined;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * The error for a non-2xx answer, from its JSON envelope when it has one.
 * 401 and 400 are fatal: the same request would fail the same way again.
 */
export async function errorFromResponse(response: Response, what: string): Promise<RemoteConfigError> {
  let serverCode: string | undefined;
  let reason: string | undefined;
  let serverMessage: string | undefined;
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    if (typeof body.error?.code === 'string') serverCode = body.error.code;
    if (typeof body.error?.message === 'string') serverMessage = body.error.message;
    const details = body.error?.details as { reason?: unknown } | undefined;
    if (typeof details?.reason === 'string') reason = details.reason;
  } catch {
    // Not JSON (a proxy's page, an empty body): the status says enough.
  }
  const status = response.status;
  const init = { status, ...(serverCode && { serverCode }), ...(reason && { reason }) };
  const text = `${what}: HTTP ${status}${serverCode ? ` ${serverCode}` : ''}${reason ? ` (${reason})` : ''}`;
  const message = serverMessage ? `${text}: ${serverMessage}` : text;
  if (status === 401) return new RemoteConfigError('unauthorized', message, { ...init, fatal: true });
  if (status === 400) return new RemoteConfigError('invalid_request', message, { ...init, fatal: true });
  if (status === 503 && serverCode === 'PROJECT_NOT_ACTIVE') return new RemoteConfigError('not_active', message, init);
  return new RemoteConfigError('http', message, init);
}
