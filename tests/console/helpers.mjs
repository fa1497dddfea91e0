// Shared by the console's browser tests (tests/console/*.test.mjs): headless Chromium
// (Debian's /usr/bin/chromium driven by playwright-core, no browser download), sign-in,
// screenshots, plain HTTP requests, and the owner's API key for setting things up.
//
// Environment (tests/console/check.sh sets it): AMBIT_URL, AMBIT_KEY (the owner's API key),
// AMBIT_OWNER_EMAIL, AMBIT_OWNER_PASSWORD, AMBIT_SCREENSHOTS (a directory), AMBIT_CHROMIUM
// (default /usr/bin/chromium), AMBIT_TEST_REQUIRE_BROWSER (fail instead of skip without it).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after } from 'node:test';

import { chromium } from 'playwright-core';

export const BASE = (process.env.AMBIT_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const KEY = process.env.AMBIT_KEY ?? '';
export const OWNER_EMAIL = process.env.AMBIT_OWNER_EMAIL ?? 'owner@example.com';
export const OWNER_PASSWORD = process.env.AMBIT_OWNER_PASSWORD ?? '';
export const SCREENSHOTS = process.env.AMBIT_SCREENSHOTS ?? '';
export const CHROMIUM = process.env.AMBIT_CHROMIUM ?? '/usr/bin/chromium';
export const CONSOLE = `${BASE}/console`;

const cleanups = [];
// Registered when the test file imports this module, so it is the file's hook, not a test's.
after(async () => {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (e) {
      console.error('cleanup failed:', e);
    }
  }
});

/** Runs fn after the file's tests (last registered first). */
export function onCleanup(fn) {
  cleanups.push(fn);
}

/** False (and the test skipped) when there is no Chromium; fails instead under AMBIT_TEST_REQUIRE_BROWSER. */
export function haveBrowser(t) {
  if (existsSync(CHROMIUM)) return true;
  assert.ok(!process.env.AMBIT_TEST_REQUIRE_BROWSER, `AMBIT_TEST_REQUIRE_BROWSER is set but ${CHROMIUM} is missing`);
  t.skip(`no Chromium at ${CHROMIUM}`);
  return false;
}

let browserPromise = null;

/** One headless Chromium per test file, closed after its tests. */
export function launch() {
  if (!browserPromise) {
    browserPromise = chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    onCleanup(async () => (await browserPromise).close());
  }
  return browserPromise;
}

/**
 * A fresh browser context (its own cookies) and a page in it.
 * options: width (1440), height (900), permissions (e.g. ['clipboard-read', 'clipboard-write'])
 * and any other playwright context option. page.problems collects page errors and console errors.
 */
export async function newPage(options = {}) {
  const { width = 1440, height = 900, ...rest } = options;
  const browser = await launch();
  const context = await browser.newContext({ viewport: { width, height }, ...rest });
  onCleanup(() => context.close());
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') page.problems.push(`console: ${message.text()}`);
  });
  page.setDefaultTimeout(15000);
  return { context, page };
}

/** Page errors, without Chromium's log lines for the failed requests a test provokes on purpose. */
export function pageErrors(page) {
  return page.problems.filter((p) => !/Failed to load resource: the server responded with a status of (401|403|404|409|429)/.test(p));
}

/** Opens the console's sign-in form (at hash, default none) and signs in; waits for the signed-in shell. */
export async function signIn(page, { email = OWNER_EMAIL, password = OWNER_PASSWORD, hash = '' } = {}) {
  await page.goto(`${CONSOLE}${hash}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Goes to a hash route of the signed-in console and waits for the page heading. */
export async function goTo(page, hash, heading) {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
  if (heading) await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/** A full-page screenshot at AMBIT_SCREENSHOTS/<name>.png (nothing without AMBIT_SCREENSHOTS). */
export async function screenshot(page, name) {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * A curl-style request: http('GET', '/v1/me', {key, cookie, headers, body}).
 * Returns {status, headers, text, json}. key sends Authorization: Bearer; cookie sends Cookie.
 */
export async function http(method, path, { key, cookie, headers = {}, body } = {}) {
  const h = { ...headers };
  if (key) h.Authorization = `Bearer ${key}`;
  if (cookie) h.Cookie = cookie;
  let payload;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
  }
  const res = await fetch(path.startsWith('http') ? path : `${BASE}${path}`, { method, headers: h, body: payload, redirect: 'manual' });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The owner's API key on the REST API: the body's data (or the bare body); throws on non-2xx. */
export async function ownerApi(method, path, body) {
  const res = await http(method, path, { key: KEY, body });
  if (res.status < 200 || res.status > 299) {
    throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  }
  if (res.json && typeof res.json === 'object' && 'data' in res.json) return res.json.data;
  return res.json;
}

/** The ambit_session cookie of a context as a Cookie header value ('' when none). */
export async function sessionCookie(context) {
  const cookie = (await context.cookies(BASE)).find((c) => c.name === 'ambit_session');
  return cookie ? `ambit_session=${cookie.value}` : '';
}

/** Polls fn until it returns a truthy value (returned) or the time runs out (throws). */
export async function waitFor(fn, { timeout = 10000, interval = 100, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${message}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Serves fixed HTML pages on 127.0.0.1 at another port (another origin): {path: html}. Returns its origin. */
export async function startOtherOrigin(pages) {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const html = pages[path];
    if (html === undefined) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${server.address().port}`;
}

/** A unique name for the things a test creates. */
export function unique(prefix) {
  return `${prefix} ${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}
