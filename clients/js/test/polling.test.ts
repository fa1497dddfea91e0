// ETag polling: with the stream turned off, behind an older server that has
// no stream (a proxy answering 404 there), and behind an overloaded one
// (503 with Retry-After). Changes made through the admin API still arrive.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { init, type RemoteConfigClient, type RemoteConfigError } from '@ambit/remote-config';

import {
  createProject,
  mintClientKey,
  revokeKey,
  serverUrl,
  setConfig,
  setValue,
  type TestProject,
  waitUntil,
} from './support/admin.js';
import { nextChange } from './support/changes.js';
import { Proxy, type ProxyMode } from './support/proxy.js';

const POLL_MS = 200;
let project: TestProject;
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function startClient(url: string, options: { stream?: boolean; key?: string } = {}): Promise<RemoteConfigClient> {
  const client = await init({
    url,
    key: options.key ?? project.clientKey,
    storage: null,
    pollIntervalMs: POLL_MS,
    backoffInitialMs: 50,
    ...(options.stream !== undefined && { stream: options.stream }),
  });
  cleanups.push(() => client.close());
  return client;
}

async function startProxy(mode: ProxyMode): Promise<Proxy> {
  const proxy = await Proxy.start(mode);
  cleanups.push(() => proxy.close());
  return proxy;
}

before(async () => {
  project = await createProject('js sdk polling');
  await setConfig(project.id, { key: 'greeting', value: 'one' });
});

test('stream: false polls with If-None-Match and picks up a change', async () => {
  const proxy = await startProxy('pass');
  const client = await startClient(proxy.url, { stream: false });
  assert.equal(client.getString('greeting', ''), 'one');
  await waitUntil(() => proxy.requests('/v1/client/config').length >= 3, 3000, 'three polls');
  assert.equal(client.status, 'polling');
  assert.equal(proxy.requests('/v1/client/config/stream').length, 0, 'stream: false opened the stream');
  const polls = proxy.requests('/v1/client/config');
  assert.equal(polls[0]?.ifNoneMatch, undefined);
  assert.equal(polls[1]?.ifNoneMatch, `"${client.etag}"`);
  assert.equal(polls[1]?.status, 304);

  const change = nextChange(client, 3000);
  await setValue(project.id, 'greeting', 'two');
  const { event } = await change;
  assert.deepEqual(event.keys, ['greeting']);
  assert.equal(event.source, 'poll');
  assert.equal(event.config.greeting, 'two');
  assert.equal(event.previous.greeting, 'one');
  assert.equal(client.getString('greeting', ''), 'two');
});

test('an older server without the stream (404): the SDK falls back to polling', async () => {
  const proxy = await startProxy('no-stream');
  const errors: RemoteConfigError[] = [];
  const client = await init({
    url: proxy.url,
    key: project.clientKey,
    storage: null,
    pollIntervalMs: POLL_MS,
    onError: (e) => errors.push(e),
  });
  cleanups.push(() => client.close());
  assert.ok(client.etag, 'no values after init');
  assert.equal(client.status, 'polling');
  assert.equal(proxy.requests('/v1/client/config/stream').length, 1, 'the stream was tried once');
  assert.equal(errors[0]?.status, 404);
  assert.equal(errors[0]?.fatal, false);

  const before = client.getString('greeting', '');
  const change = nextChange(client, 3000);
  await setValue(project.id, 'greeting', `${before}+`);
  assert.equal((await change).event.config.greeting, `${before}+`);
  assert.equal(proxy.requests('/v1/client/config/stream').length, 1, 'the stream was retried before streamRetryMs');
});

test('a stream that stays silent is given up: after two, the SDK polls', async () => {
  const proxy = await startProxy('silent-stream');
  const client = await init({
    url: proxy.url,
    key: project.clientKey,
    storage: null,
    pollIntervalMs: POLL_MS,
    streamIdleTimeoutMs: 300,
    backoffInitialMs: 50,
  });
  cleanups.push(() => client.close());
  assert.ok(client.etag, 'no values after init');
  assert.equal(client.status, 'polling');
  assert.equal(proxy.requests('/v1/client/config/stream').length, 2);
  assert.match(client.lastError?.message ?? '', /nothing received for 300 ms/);

  const before = client.getString('greeting', '');
  const change = nextChange(client, 3000);
  await setValue(project.id, 'greeting', `${before}!`);
  assert.equal((await change).event.config.greeting, `${before}!`);
});

test('503 with Retry-After: the next request waits at least that long, then the client recovers', async () => {
  const proxy = await startProxy('unavailable');
  const started = Date.now();
  const client = await init({
    url: proxy.url,
    key: project.clientKey,
    storage: null,
    stream: false,
    pollIntervalMs: POLL_MS,
    backoffInitialMs: 10, // the backoff alone would retry at once
    initTimeoutMs: 1500,
  });
  cleanups.push(() => client.close());
  assert.ok(Date.now() - started >= 1400, 'init did not wait for its timeout');
  assert.equal(client.status, 'offline');
  assert.equal(client.lastError?.status, 503);
  const polls = proxy.requests('/v1/client/config');
  assert.ok(polls.length >= 2, `${polls.length} polls`);
  for (let i = 1; i < polls.length; i++) {
    const gap = (polls[i]?.at ?? 0) - (polls[i - 1]?.at ?? 0);
    assert.ok(gap >= 950, `poll ${i} came ${gap} ms after the previous one, despite Retry-After: 1`);
  }

  proxy.mode = 'pass';
  await waitUntil(() => client.status === 'polling', 3000, 'polling again');
  assert.ok(client.etag, 'no values after recovery');
});

test('revoking the key while polling stops the client; it keeps serving its values', async () => {
  const { id, key } = await mintClientKey(project.id);
  const client = await startClient(serverUrl, { stream: false, key });
  const errors: RemoteConfigError[] = [];
  client.onError((e) => errors.push(e));
  const value = client.getString('greeting', '');
  assert.ok(value);
  await revokeKey(project.id, id);
  await waitUntil(() => client.status === 'stopped', 3000, 'status stopped');
  assert.equal(errors.at(-1)?.code, 'unauthorized');
  assert.equal(errors.at(-1)?.reason, 'revoked');
  assert.equal(client.getString('greeting', 'default'), value);
});
