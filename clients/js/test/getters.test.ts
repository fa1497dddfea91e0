// init() and the typed getters against the real server: values of each type,
// defaults for missing and mistyped keys, conditions evaluated for the
// context the SDK sends, and the errors init() rejects with.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { init, RemoteConfigError, type RemoteConfigClient } from '@ambit/remote-config';

import { createProject, createSegment, serverUrl, setConfig, type TestProject } from './support/admin.js';

let project: TestProject;
const clients: RemoteConfigClient[] = [];
after(async () => {
  for (const client of clients) await client.close();
});

async function client(context?: Parameters<typeof init>[0]['context']): Promise<RemoteConfigClient> {
  const created = await init({ url: serverUrl, key: project.clientKey, storage: null, ...(context && { context }) });
  clients.push(created);
  return created;
}

before(async () => {
  project = await createProject('js sdk getters');
  await createSegment(project.id, {
    name: 'pro-eu',
    rules: [
      { attribute: 'attr.plan', operator: 'eq', value: 'pro' },
      { attribute: 'country', operator: 'in', values: ['DE', 'FR'] },
    ],
  });
  await setConfig(project.id, { key: 'title', value: 'Hello' });
  await setConfig(project.id, { key: 'ratio', value: 1.5, value_type: 'number' });
  await setConfig(project.id, { key: 'max_items', value: 20, value_type: 'number' });
  await setConfig(project.id, { key: 'dark_mode', value: false, value_type: 'boolean' });
  await setConfig(project.id, { key: 'theme', value: { accent: '#0af', sizes: [1, 2] }, value_type: 'json' });
  await setConfig(project.id, { key: 'tags', value: ['a', 'b'], value_type: 'json' });
  await setConfig(project.id, {
    key: 'banner',
    value: 'Welcome',
    conditions: [
      { segment: 'pro-eu', value: 'Welcome, pro' },
      { segment: 'ios', value: 'Welcome, iOS' },
    ],
  });
});

test('each getter returns the value of its type', async () => {
  const c = await client();
  assert.ok(['streaming', 'polling'].includes(c.status), `status ${c.status}`);
  assert.match(c.etag ?? '', /^[0-9a-f]{32}$/);
  assert.equal(c.getString('title', 'default'), 'Hello');
  assert.equal(c.getNumber('ratio', 0), 1.5); // sent as 1.5E0
  assert.equal(c.getNumber('max_items', 0), 20);
  assert.equal(c.getBoolean('dark_mode', true), false);
  assert.deepEqual(c.getJSON('theme', {}), { accent: '#0af', sizes: [1, 2] });
  assert.deepEqual(c.getJSON('tags', [] as string[]), ['a', 'b']);
  assert.equal(c.getString('banner', ''), 'Welcome');
});

test('a missing key or a value of another type gives the default', async () => {
  const c = await client();
  assert.equal(c.getString('nope', 'fallback'), 'fallback');
  assert.equal(c.getString('max_items', 'fallback'), 'fallback');
  assert.equal(c.getNumber('title', 7), 7);
  assert.equal(c.getNumber('nope', 7), 7);
  assert.equal(c.getBoolean('title', true), true);
  assert.equal(c.getBoolean('max_items', true), true);
  assert.deepEqual(c.getJSON('tags', { fallback: true }), { fallback: true }); // an array is not an object
  assert.deepEqual(c.getJSON('theme', ['fallback']), ['fallback']); // nor the other way round
  assert.equal(c.getJSON('title', 0), 0);
  assert.equal(c.getJSON('title', null), 'Hello'); // a null default takes any kind
  const isSizes = (v: unknown): v is number[] => Array.isArray(v) && v.every((n) => typeof n === 'number');
  assert.deepEqual(c.getJSON('tags', [0], isSizes), [0]); // the guard decides
});

test('values are frozen', async () => {
  const c = await client();
  const theme = c.getJSON('theme', {} as { sizes?: number[] });
  assert.throws(() => theme.sizes?.push(3), TypeError);
  assert.throws(() => {
    (c.getAll() as Record<string, unknown>).title = 'changed';
  }, TypeError);
  assert.equal(c.getString('title', ''), 'Hello');
});

test('conditions are evaluated for the context: platform, country and attributes', async () => {
  assert.equal((await client({ platform: 'iOS' })).getString('banner', ''), 'Welcome, iOS');
  assert.equal((await client({ platform: 'android' })).getString('banner', ''), 'Welcome');
  const pro = await client({ platform: 'iOS', country: 'de', attributes: { plan: 'pro' } });
  assert.equal(pro.getString('banner', ''), 'Welcome, pro'); // the first matching condition wins
  assert.equal((await client({ country: 'US', attributes: { plan: 'pro' } })).getString('banner', ''), 'Welcome');
});

test('an unknown key stops the client at once: defaults, status stopped, an unauthorized error', async () => {
  const errors: RemoteConfigError[] = [];
  const started = Date.now();
  const c = await init({
    url: serverUrl,
    key: 'amb_client_ck_00000000000000000000000000000000',
    storage: null,
    onError: (e) => errors.push(e),
  });
  clients.push(c);
  assert.ok(Date.now() - started < 4000, 'init waited for its timeout instead of stopping');
  assert.equal(c.status, 'stopped');
  assert.equal(c.getString('title', 'default'), 'default');
  const fatal = errors.filter((e) => e.fatal);
  assert.equal(fatal.length, 1, JSON.stringify(errors.map((e) => e.message)));
  assert.ok(fatal[0] instanceof RemoteConfigError);
  assert.equal(fatal[0].code, 'unauthorized');
  assert.equal(fatal[0].status, 401);
  assert.equal(fatal[0].reason, 'unknown');
  for (const e of errors) assert.ok(!e.message.includes('amb_client_ck_'), `the key is in: ${e.message}`);
  assert.equal(c.lastError, fatal[0]);
});

test('init rejects programmer errors', async () => {
  const key = project.clientKey;
  await assert.rejects(init({ url: '', key }), TypeError);
  await assert.rejects(init({ url: 'ftp://example.com', key }), TypeError);
  await assert.rejects(init({ url: serverUrl, key: '' }), TypeError);
  await assert.rejects(init({ url: serverUrl, key, context: { attributes: { 'bad name': 'x' } } }), TypeError);
  await assert.rejects(init({ url: serverUrl, key, context: { userId: 'u'.repeat(257) } }), TypeError);
  await assert.rejects(init({ url: serverUrl, key, cacheFile: '/tmp/x', storage: null }), TypeError);
  await assert.rejects(init({ url: serverUrl, key, pollIntervalMs: -1 }), TypeError);
  await assert.rejects(init({ url: serverUrl, key, pollIntervalMs: 0 }), TypeError); // a tight loop
});
