// The event stream against the real server: a change made through the admin
// API reaches onChange within 1 s (the poll interval is the default 30 s, so
// only the stream can be that fast), a restart resumes with Last-Event-ID, and
// revoking the key ends the stream for good.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { type ConfigStorage, init, type RemoteConfigClient, type RemoteConfigError } from '@ambit/remote-config';

import {
  createProject,
  delay,
  mintClientKey,
  restOk,
  revokeKey,
  setConfig,
  setValue,
  type TestProject,
  waitUntil,
} from './support/admin.js';
import { nextChange } from './support/changes.js';
import { Proxy } from './support/proxy.js';

let project: TestProject;
let proxy: Proxy; // in front of the server, to see what the SDK sends
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
  await proxy.close();
});

async function startClient(options: { key?: string; storage?: ConfigStorage } = {}): Promise<RemoteConfigClient> {
  const client = await init({
    url: proxy.url,
    key: options.key ?? project.clientKey,
    storage: options.storage ?? null,
    context: { platform: 'web', userId: 'user-1' },
  });
  cleanups.push(() => client.close());
  return client;
}

before(async () => {
  project = await createProject('js sdk stream');
  await setConfig(project.id, { key: 'greeting', value: 'one' });
  await setConfig(project.id, { key: 'banner', value: 'plain', conditions: [{ segment: 'web', value: 'for the web' }] });
  proxy = await Proxy.start();
});

test('changes reach onChange within 1 s over the stream', async () => {
  const client = await startClient();
  assert.equal(client.status, 'streaming');
  assert.equal(client.getString('greeting', ''), 'one');
  assert.equal(client.getString('banner', ''), 'for the web');
  const streams = proxy.requests('/v1/client/config/stream');
  assert.equal(streams.length, 1);
  assert.match(streams[0]?.path ?? '', /[?&]platform=web(&|$)/);
  assert.match(streams[0]?.path ?? '', /[?&]user_id=user-1(&|$)/);

  for (const value of ['two', 'three']) {
    const change = nextChange(client, 1000);
    await setValue(project.id, 'greeting', value);
    const { event, elapsedMs } = await change;
    assert.ok(elapsedMs <= 1000, `onChange after ${elapsedMs} ms`);
    assert.deepEqual(event.keys, ['greeting']);
    assert.equal(event.source, 'stream');
    assert.equal(event.config.greeting, value);
    assert.equal(client.getString('greeting', ''), value);
  }

  // A new key and a deleted one.
  let change = nextChange(client, 1000);
  await setConfig(project.id, { key: 'fresh', value: 5, value_type: 'number' });
  assert.deepEqual((await change).event.keys, ['fresh']);
  assert.equal(client.getNumber('fresh', 0), 5);
  change = nextChange(client, 1000);
  await restOk('DELETE', `/v1/admin/projects/${project.id}/config/fresh`);
  const { event } = await change;
  assert.deepEqual(event.keys, ['fresh']);
  assert.equal(event.previous.fresh, 5);
  assert.equal(client.getNumber('fresh', -1), -1);

  assert.equal(client.status, 'streaming');
  assert.equal(proxy.requests('/v1/client/config').length, 0, 'the client polled while streaming');
  assert.equal(proxy.requests('/v1/client/config/stream').length, 1, 'the stream was reopened');
});

test('a restart resumes with Last-Event-ID: no bundle is sent again, changes still arrive', async () => {
  const entries = new Map<string, string>();
  const storage: ConfigStorage = { getItem: (n) => entries.get(n), setItem: (n, v) => void entries.set(n, v) };
  const first = await startClient({ storage });
  const etag = first.etag;
  await first.close();
  assert.equal(entries.size, 1);

  const seenBefore = proxy.seen.length;
  const second = await startClient({ storage });
  assert.equal(second.etag, etag);
  await waitUntil(() => second.status === 'streaming', 2000, 'streaming');
  const resumed = proxy.seen.slice(seenBefore);
  assert.equal(resumed.length, 1);
  assert.equal(resumed[0]?.lastEventId, etag);

  const change = nextChange(second, 1000);
  await setValue(project.id, 'greeting', 'after restart');
  assert.equal((await change).event.config.greeting, 'after restart');
});

test('revoking the key ends the stream: reported, stopped for good, values kept', async () => {
  const { id, key } = await mintClientKey(project.id);
  const client = await startClient({ key });
  assert.equal(client.status, 'streaming');
  const value = client.getString('greeting', '');
  const errors: RemoteConfigError[] = [];
  client.onError((e) => errors.push(e));

  // The server checks a stream's key again every stream_recheck_seconds (5 by default).
  await revokeKey(project.id, id);
  await waitUntil(() => client.status === 'stopped', 8000, 'status stopped');
  const fatal = errors.filter((e) => e.fatal);
  assert.equal(fatal.length, 1, JSON.stringify(errors.map((e) => e.message)));
  assert.equal(fatal[0]?.code, 'unauthorized');
  assert.equal(fatal[0]?.reason, 'revoked');
  assert.ok(!fatal[0]?.message.includes(key), 'the key is in the error message');

  const requests = proxy.seen.length;
  await setValue(project.id, 'greeting', 'after revocation');
  await delay(1500);
  assert.equal(proxy.seen.length, requests, 'the client sent requests after it stopped');
  assert.equal(client.getString('greeting', 'default'), value);
  assert.equal(client.status, 'stopped');
});
