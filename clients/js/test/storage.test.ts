// The last bundle across restarts: a client that ran once against the server
// leaves its bundle in the cacheFile (or a storage object); a new client with
// the same storage and the server gone serves it, and one with the server
// back sends its etag instead of downloading the same values again.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { type ConfigStorage, init, type RemoteConfigClient } from '@ambit/remote-config';

import { createProject, setConfig, type TestProject } from './support/admin.js';
import { Proxy } from './support/proxy.js';

let project: TestProject;
let dir: string;
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
  await rm(dir, { recursive: true, force: true });
});

before(async () => {
  project = await createProject('js sdk storage');
  await setConfig(project.id, { key: 'greeting', value: 'hello' });
  await setConfig(project.id, { key: 'limit', value: 3, value_type: 'number' });
  await setConfig(project.id, { key: 'banner', value: 'plain', conditions: [{ segment: 'ios', value: 'for iOS' }] });
  dir = await mkdtemp(join(tmpdir(), 'ambit-js-sdk-'));
});

async function started<T extends RemoteConfigClient>(client: Promise<T>): Promise<T> {
  const c = await client;
  cleanups.push(() => c.close());
  return c;
}

test('cacheFile: a restart with the server gone serves the last values at once', async () => {
  const cacheFile = join(dir, 'nested', 'config-cache.json');
  const proxy = await Proxy.start();
  const first = await started(init({ url: proxy.url, key: project.clientKey, cacheFile, context: { platform: 'ios' } }));
  assert.equal(first.getString('banner', ''), 'for iOS');
  const etag = first.etag;
  await first.close(); // waits for the save
  await proxy.close(); // the server is gone: connections to its address are refused

  const text = await readFile(cacheFile, 'utf8');
  assert.ok(text.includes('for iOS'), 'the values are not in the file');
  assert.ok(!text.includes(project.clientKey), 'the key is stored in clear');
  assert.ok(!text.includes(project.clientKey.slice(14)), 'the secret part of the key is stored');
  assert.equal((await stat(cacheFile)).mode & 0o777, 0o600);

  const t0 = Date.now();
  const second = await started(
    init({ url: proxy.url, key: project.clientKey, cacheFile, context: { platform: 'ios' }, initTimeoutMs: 10_000 }),
  );
  assert.ok(Date.now() - t0 < 1000, 'init waited for the server instead of using the stored bundle');
  assert.equal(second.etag, etag);
  assert.equal(second.getString('banner', ''), 'for iOS');
  assert.equal(second.getNumber('limit', 0), 3);

  // Another context has another entry: it does not get iOS values.
  const other = await started(
    init({ url: proxy.url, key: project.clientKey, cacheFile, context: { platform: 'android' }, initTimeoutMs: 300 }),
  );
  assert.equal(other.getString('banner', 'default'), 'default');
  assert.equal(other.etag, undefined);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(second.status, 'offline');
});

test('a storage object: the etag is sent back, the server answers "unchanged"', async () => {
  const entries = new Map<string, string>();
  const storage: ConfigStorage = {
    getItem: async (name) => entries.get(name) ?? null,
    setItem: async (name, value) => {
      entries.set(name, value);
    },
  };
  const proxy = await Proxy.start();
  cleanups.push(() => proxy.close());
  const first = await started(init({ url: proxy.url, key: project.clientKey, storage, stream: false }));
  await first.close();
  assert.equal(entries.size, 1);
  const [name, stored] = [...entries][0] ?? ['', ''];
  assert.ok(!name.includes(project.clientKey) && !stored.includes(project.clientKey), 'the key is stored in clear');

  const second = await started(init({ url: proxy.url, key: project.clientKey, storage, stream: false }));
  assert.equal(second.getString('greeting', ''), 'hello');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const polls = proxy.requests('/v1/client/config');
  assert.equal(polls.length, 2, 'one poll per client');
  assert.equal(polls[1]?.ifNoneMatch, `"${first.etag}"`);
  assert.equal(polls[1]?.status, 304);
  assert.equal(second.status, 'polling');
});
