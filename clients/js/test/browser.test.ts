// The SDK in a browser: headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core, no browser download) loads a page from another origin
// (a static server on another port serving the built SDK), which imports the
// SDK and inits it against the ambit server. So CORS (the preflight for
// Authorization and Last-Event-ID, the exposed headers), the stream read from
// fetch's body, onChange and localStorage are all the browser's own.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';

import { type Browser, chromium } from 'playwright-core';

import { createProject, serverUrl, setConfig } from './support/admin.js';

const CHROMIUM = process.env.AMBIT_CHROMIUM ?? '/usr/bin/chromium';
const sdkDir = dirname(fileURLToPath(import.meta.resolve('@ambit/remote-config')));
const PAGE = '<!doctype html><meta charset="utf-8"><title>ambit remote config</title><p id="greeting">…</p>';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Serves the page at / and the built SDK under /sdk/, on its own port: another origin than the server. */
async function startPageServer(): Promise<string> {
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(PAGE);
    }
    if (path === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    const file = normalize(join(sdkDir, path.replace(/^\/sdk\//, '')));
    if (!path.startsWith('/sdk/') || !file.startsWith(sdkDir) || !file.endsWith('.js')) {
      res.writeHead(404);
      return res.end();
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface PageState {
  origin: string;
  status: string;
  greeting: string;
  changes: { keys: string[]; greeting: unknown; source: string }[];
  errors: string[];
}

test('in Chromium, from another origin: init, the stream through CORS, onChange, localStorage', async (t) => {
  if (!existsSync(CHROMIUM)) {
    assert.ok(!process.env.AMBIT_TEST_REQUIRE_BROWSER, `AMBIT_TEST_REQUIRE_BROWSER is set but ${CHROMIUM} is missing`);
    t.skip(`no Chromium at ${CHROMIUM}`);
    return;
  }
  const project = await createProject('js sdk browser');
  await setConfig(project.id, { key: 'greeting', value: 'hello', conditions: [{ segment: 'web', value: 'hello web' }] });
  const pageUrl = await startPageServer();

  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  cleanups.push(() => browser.close());
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.goto(`${pageUrl}/`);

  const state = (await page.evaluate(
    async ({ url, key }) => {
      const sdkPath = '/sdk/index.js'; // a variable: the browser resolves it, not tsc
      const sdk = await import(sdkPath);
      const state = { origin: location.origin, status: '', greeting: '', changes: [], errors: [] } as PageState;
      const client = await sdk.init({
        url,
        key,
        context: { platform: 'web' },
        onError: (e: Error) => state.errors.push(e.message),
      });
      client.onChange((e: { keys: string[]; config: Record<string, unknown>; source: string }) => {
        state.changes.push({ keys: e.keys, greeting: e.config.greeting, source: e.source });
        document.getElementById('greeting')!.textContent = String(e.config.greeting);
      });
      Object.assign(globalThis, { ambitState: state, ambitClient: client });
      state.status = client.status;
      state.greeting = client.getString('greeting', 'default');
      return state;
    },
    { url: serverUrl, key: project.clientKey },
  )) as PageState;
  assert.notEqual(state.origin, new URL(serverUrl).origin);
  assert.deepEqual(state.errors, []);
  assert.equal(state.greeting, 'hello web');
  assert.equal(state.status, 'streaming');

  const started = performance.now();
  // The web condition's value changes: this page's value with it.
  await setConfig(project.id, { key: 'greeting', value: 'hello', conditions: [{ segment: 'web', value: 'changed' }] });
  await page.waitForFunction(
    () => (globalThis as unknown as { ambitState: PageState }).ambitState.changes.length > 0,
    undefined,
    { timeout: 1000, polling: 10 },
  );
  const elapsedMs = performance.now() - started;
  const after = (await page.evaluate(() => (globalThis as unknown as { ambitState: PageState }).ambitState)) as PageState;
  assert.ok(elapsedMs <= 1000, `onChange after ${elapsedMs} ms`);
  assert.deepEqual(after.changes, [{ keys: ['greeting'], greeting: 'changed', source: 'stream' }]);
  assert.deepEqual(after.errors, []);
  assert.equal(await page.textContent('#greeting'), 'changed');

  // The bundle is in localStorage under a name that does not carry the key.
  await page.evaluate(() => (globalThis as unknown as { ambitClient: { close(): Promise<void> } }).ambitClient.close());
  const stored = await page.evaluate(() => Object.entries(localStorage));
  assert.equal(stored.length, 1);
  const [name, value] = stored[0] ?? ['', ''];
  assert.match(name, /^ambit-remote-config:[0-9a-f]{32}$/);
  assert.ok(value.includes('"changed"'), value);
  assert.ok(!value.includes(project.clientKey), 'the key is stored in clear');

  // A refused key: the 401 carries CORS headers too, so the page reads its reason and stops.
  const refused = await page.evaluate(
    async ({ url }) => {
      const sdkPath = '/sdk/index.js';
      const sdk = await import(sdkPath);
      const client = await sdk.init({ url, key: `amb_client_ck_${'0'.repeat(32)}`, storage: null, initTimeoutMs: 3000 });
      return { status: client.status, code: client.lastError?.code, reason: client.lastError?.reason };
    },
    { url: serverUrl },
  );
  assert.deepEqual(refused, { status: 'stopped', code: 'unauthorized', reason: 'unknown' });
  assert.deepEqual(
    problems.filter((p) => !p.includes('401 (Unauthorized)')), // Chromium logs each failed request
    [],
  );
});
