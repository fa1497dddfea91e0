// The console's shell and identity pages in headless Chromium against a real server:
// sign-in, API keys (shown once, copied, working over plain HTTP, revoked in the UI),
// the audit log's filters and pages, members, OAuth apps, sign-out, CSRF, session
// fixation, clickjacking, 375 px and keyboard use. Screenshots of every page go to
// AMBIT_SCREENSHOTS. Run by tests/console/check.sh (see helpers.mjs for the environment).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';

import {
  BASE,
  CONSOLE,
  KEY,
  OWNER_EMAIL,
  OWNER_PASSWORD,
  goTo,
  haveBrowser,
  http,
  newPage,
  ownerApi,
  pageErrors,
  screenshot,
  sessionCookie,
  signIn,
  startOtherOrigin,
  unique,
  waitFor,
} from './helpers.mjs';

assert.ok(KEY, 'AMBIT_KEY (the owner API key) is required');
assert.ok(OWNER_PASSWORD, 'AMBIT_OWNER_PASSWORD is required');

/** Keys of the owner's tenant (every page), through the owner's API key. */
async function allKeys() {
  const keys = [];
  let cursor = null;
  do {
    const res = await http('GET', `/v1/api_keys?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { key: KEY });
    assert.equal(res.status, 200, res.text);
    keys.push(...res.json.data);
    cursor = res.json.next_cursor;
  } while (cursor);
  return keys;
}

/** Audit rows of one credential, through the owner's API key. */
async function auditRows(credentialId) {
  const res = await http('GET', `/v1/audit?credential_id=${encodeURIComponent(credentialId)}&limit=500`, { key: KEY });
  assert.equal(res.status, 200, res.text);
  return res.json.data;
}

test('sign-in: a wrong password shows the error, the right one opens the API keys page; /v1/me says "session"', async (t) => {
  if (!haveBrowser(t)) return;
  const { page } = await newPage();
  await page.goto(CONSOLE);
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await screenshot(page, 'sign-in');

  await page.getByLabel('Email').fill(OWNER_EMAIL);
  await page.getByLabel('Password').fill(`${OWNER_PASSWORD}-wrong`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /Wrong email or password/);
  assert.match(await alert.innerText(), /INVALID_CREDENTIALS/);
  await screenshot(page, 'sign-in-error');
  assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);

  await page.getByLabel('Password').fill(OWNER_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
  assert.equal(new URL(page.url()).hash, '#/keys');
  assert.match(await page.locator('.topbar').innerText(), new RegExp(OWNER_EMAIL.replace('.', '\\.')));
  assert.equal(await page.locator('nav a[aria-current="page"]').innerText(), 'API keys');

  // The console's cookie is a credential of its own: type "session", the role's scopes.
  const me = await page.evaluate(async () => (await fetch('/v1/me', { credentials: 'same-origin' })).json());
  assert.equal(me.data.credential.type, 'session');
  assert.equal(me.data.role, 'owner');
  assert.ok(me.data.scopes.includes('keys:manage'), JSON.stringify(me.data.scopes));

  // It is HttpOnly: the page's script cannot read it.
  assert.ok(!(await page.evaluate(() => document.cookie)).includes('ambit_session'));
  assert.deepEqual(pageErrors(page), []);
});

test('sign-in limits: too many wrong passwords show the wait (429, Retry-After), then the right one works', async (t) => {
  if (!haveBrowser(t)) return;
  // An account of its own (invited and joined as a viewer), so the owner's budget is untouched.
  const email = `limits-${Date.now().toString(36)}@example.com`;
  const password = 'limits-password-1';
  const invitation = await ownerApi('POST', '/v1/invitations', { email, role: 'viewer' });
  const joined = await http('POST', '/v1/invitations/accept', { body: { token: invitation.token, password } });
  assert.equal(joined.status, 200, joined.text);

  const { page } = await newPage();
  await page.goto(CONSOLE);
  const submit = page.locator('form button[type="submit"]');
  let limited = false;
  for (let i = 0; i < 8 && !limited; i++) {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(`wrong-${i}`);
    await submit.click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = await alert.innerText();
    if (/429 too_many_requests/.test(text)) {
      limited = true;
      assert.match(text, /Too many attempts\. Wait \d+ s/);
      assert.ok(await submit.isDisabled(), 'the button waits out Retry-After');
      assert.match(await submit.innerText(), /wait \d+ s/);
      await screenshot(page, 'sign-in-too-many');
    } else {
      assert.match(text, /Wrong email or password/);
      await page.waitForFunction(() => !document.querySelector('form button[type="submit"]').disabled);
    }
  }
  assert.ok(limited, 'no 429 after 8 wrong passwords');
  // Once the wait is over, the right password signs in.
  await page.waitForFunction(() => !document.querySelector('form button[type="submit"]').disabled, undefined, { timeout: 20000 });
  await page.getByLabel('Password').fill(password);
  await submit.click();
  await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
  assert.equal(await page.locator('.workspace .badge, .workspace select').first().count(), 1);
});

test('API keys: create, shown once and copied, gone after navigating; it works over HTTP until revoked in the UI', async (t) => {
  if (!haveBrowser(t)) return;
  const { context, page } = await newPage();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  await signIn(page);
  await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();

  const name = unique('ci deploys');
  await page.getByRole('button', { name: 'Create key' }).click();
  const form = page.getByRole('form', { name: 'Create an API key' });
  await form.getByLabel('Name').fill(name);
  // The picker offers exactly the session's scopes.
  const offered = await form.locator('input[type="checkbox"][name="scope"]').evaluateAll((boxes) => boxes.map((b) => b.value));
  const me = await page.evaluate(async () => (await fetch('/v1/me')).json());
  assert.deepEqual(offered, [...me.data.scopes].sort());
  await form.getByLabel('keys:read', { exact: true }).check();
  await form.getByLabel('audit:read', { exact: true }).check();
  await form.getByRole('button', { name: 'Create key' }).click();

  const panel = page.getByRole('region', { name: /created/ });
  await panel.waitFor();
  assert.match(await panel.innerText(), /you will not see it again/);
  const plaintext = (await panel.locator('[data-secret="api-key"]').innerText()).trim();
  assert.match(plaintext, /^ak_live_[0-9A-Za-z]{43}$/);
  await screenshot(page, 'keys-created');

  await panel.getByRole('button', { name: 'Copy key' }).click();
  await panel.getByText('Copied', { exact: true }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), plaintext);

  // The list shows the key: its prefix, scopes, never used, no expiry, active.
  const row = page.locator('table.data tbody tr', { hasText: name });
  await row.waitFor();
  const rowText = await row.innerText();
  assert.ok(rowText.includes(plaintext.slice(0, 14)), rowText);
  assert.match(rowText, /keys:read/);
  assert.match(rowText, /audit:read/);
  assert.match(rowText, /never/);
  assert.match(rowText, /Active/);
  assert.ok(!rowText.includes(plaintext));

  // Dismissed, and after navigating away and back: the plaintext is nowhere.
  await goTo(page, '#/members', 'Members');
  await goTo(page, '#/keys', 'API keys');
  await page.locator('table.data tbody tr', { hasText: name }).waitFor();
  assert.ok(!(await page.content()).includes(plaintext), 'the plaintext is still in the page');
  assert.equal(await page.getByText('you will not see it again').count(), 0);

  // The key works with a plain HTTP request.
  const key = (await allKeys()).find((k) => k.name === name);
  assert.ok(key, 'the key is not listed');
  const ok = await http('GET', '/v1/me', { key: plaintext });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.data.credential.type, 'api_key');
  assert.equal(ok.json.data.credential.id, key.id);
  assert.deepEqual(ok.json.data.scopes, ['audit:read', 'keys:read']);

  // Revoked in the UI (with confirmation), it is refused.
  await page.locator('table.data tbody tr', { hasText: name }).getByRole('button', { name: `Revoke ${name}` }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await screenshot(page, 'keys-revoke-confirm');
  await dialog.getByRole('button', { name: 'Revoke key' }).click();
  await page.getByText(`Key “${name}”`, { exact: false }).filter({ hasText: 'revoked' }).waitFor();
  await page.locator('table.data tbody tr', { hasText: name }).getByText('Revoked').waitFor();
  const refused = await http('GET', '/v1/me', { key: plaintext });
  assert.equal(refused.status, 401, refused.text);
  assert.equal(refused.json.error.details.reason, 'revoked');

  await screenshot(page, 'keys');
  await page.setViewportSize({ width: 375, height: 812 });
  await page.waitForTimeout(100);
  await screenshot(page, 'keys-375');
  assert.deepEqual(pageErrors(page), []);
});

test('API keys: rotate with a grace period shows the new key once; the old one keeps working', async (t) => {
  if (!haveBrowser(t)) return;
  const { page } = await newPage();
  await signIn(page);
  const name = unique('rotated');
  await page.getByRole('button', { name: 'Create key' }).click();
  const form = page.getByRole('form', { name: 'Create an API key' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('members:read', { exact: true }).check();
  await form.getByRole('button', { name: 'Create key' }).click();
  const first = (await page.locator('[data-secret="api-key"]').innerText()).trim();
  await page.getByRole('button', { name: 'Done, I have stored it' }).click();
  assert.equal(await page.locator('[data-secret="api-key"]').count(), 0);

  await page.locator('table.data tbody tr', { hasText: name }).getByRole('button', { name: `Rotate ${name}` }).click();
  const rotate = page.getByRole('form', { name: `Rotate ${name}` });
  await rotate.getByLabel('Grace period (hours)').fill('2');
  await rotate.getByRole('button', { name: 'Rotate key' }).click();
  const panel = page.getByRole('region', { name: /rotated/ });
  await panel.waitFor();
  const second = (await panel.locator('[data-secret="api-key"]').innerText()).trim();
  assert.notEqual(second, first);
  assert.match(await panel.innerText(), /previous key works until/);
  await screenshot(page, 'keys-rotated');
  assert.equal((await http('GET', '/v1/me', { key: first })).status, 200);
  assert.equal((await http('GET', '/v1/me', { key: second })).status, 200);
  assert.deepEqual(pageErrors(page), []);
});

test('audit log: filters show only matching rows, with pages', async (t) => {
  if (!haveBrowser(t)) return;
  // A key of its own makes rows that only it has: two 200s on /v1/me, one 403 on /v1/audit.
  const created = await ownerApi('POST', '/v1/api_keys', { name: unique('audit probe'), scopes: ['keys:read'] });
  assert.equal((await http('GET', '/v1/me', { key: created.key })).status, 200);
  assert.equal((await http('GET', '/v1/me', { key: created.key })).status, 200);
  assert.equal((await http('GET', '/v1/audit', { key: created.key })).status, 403);
  await waitFor(async () => (await auditRows(created.id)).length >= 3, { message: 'the audit rows' });

  const { page } = await newPage();
  await signIn(page);
  await goTo(page, '#/audit', 'Audit log');
  await page.locator('table.data tbody tr').first().waitFor();
  await screenshot(page, 'audit');

  await page.getByLabel('Credential id', { exact: true }).fill(created.id);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForFunction((id) => location.hash.includes(id), created.id);
  await page.getByText(/Page 1: 3 rows matching the filters/).waitFor();
  const rows = page.locator('table.data tbody tr');
  assert.equal(await rows.count(), 3);
  for (const text of await rows.allInnerTexts()) assert.ok(text.includes(created.id), text);
  await screenshot(page, 'audit-filtered');

  // Two filters at once: the key's 403 only.
  await page.getByLabel('HTTP status', { exact: true }).fill('403');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByText(/Page 1: 1 row matching the filters/).waitFor();
  const only = await page.locator('table.data tbody tr').allInnerTexts();
  assert.equal(only.length, 1);
  assert.match(only[0], /403/);
  assert.match(only[0], /\/v1\/audit/);

  // The route filter, and no match at all.
  await page.getByLabel('HTTP status', { exact: true }).fill('');
  await page.getByLabel('Route', { exact: true }).fill('/v1/me');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByText(/Page 1: 2 rows matching the filters/).waitFor();
  for (const text of await page.locator('table.data tbody tr').allInnerTexts()) assert.match(text, /\/v1\/me/);
  await page.getByLabel('Route', { exact: true }).fill('/v1/nothing-here');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByText('No request matches these filters.').waitFor();

  // Pages: one row per page, Next and Previous, every row once.
  await goTo(page, `#/audit?credential_id=${created.id}&limit=1`);
  await page.getByText(/Page 1: 1 row/).waitFor();
  // Rows are told apart by their request id (the last column); times are relative and move.
  const requestId = () => page.locator('table.data tbody tr td:last-child').innerText();
  const seen = [await requestId()];
  for (let p = 2; p <= 3; p++) {
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText(new RegExp(`Page ${p}: 1 row`)).waitFor();
    seen.push(await requestId());
  }
  assert.equal(new Set(seen).size, 3);
  assert.equal(await page.getByRole('button', { name: 'Next page' }).count(), 0);
  await page.getByRole('button', { name: 'Previous page' }).click();
  await page.getByText(/Page 2: 1 row/).waitFor();
  assert.equal(await requestId(), seen[1]);
  assert.deepEqual(pageErrors(page), []);
});

test('members: invite by email and role (the link shown once), change a role, revoke the invitation', async (t) => {
  if (!haveBrowser(t)) return;
  const { page } = await newPage();
  await signIn(page);
  await goTo(page, '#/members', 'Members');
  const me = page.locator('table.data tbody tr', { hasText: OWNER_EMAIL });
  await me.waitFor();
  assert.match(await me.innerText(), /\(you\)/);

  const email = `dev-${Date.now().toString(36)}@example.com`;
  await page.getByRole('button', { name: 'Invite member' }).click();
  const form = page.getByRole('form', { name: 'Invite a member' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Role').selectOption('editor');
  await form.getByRole('button', { name: 'Send invitation' }).click();
  const panel = page.getByRole('region', { name: /Invitation for/ });
  await panel.waitFor();
  assert.match(await panel.innerText(), /you will not see it again/);
  const link = await panel.locator('code').innerText();
  assert.match(link, /\/invitations\/accept\?token=amb_inv_/);
  const invite = page.locator('table.data tbody tr', { hasText: email });
  await invite.waitFor();
  assert.match(await invite.innerText(), /editor/);
  assert.match(await invite.innerText(), /pending/);
  await screenshot(page, 'members');

  // The invitee joins (through the API, as the link's page would), then the owner changes their role.
  const token = new URL(link).searchParams.get('token');
  const joined = await http('POST', '/v1/invitations/accept', { body: { token, password: 'a-new-members-password' } });
  assert.equal(joined.status, 200, joined.text);
  await goTo(page, '#/keys', 'API keys');
  await goTo(page, '#/members', 'Members');
  await page.getByLabel(`Role of ${email}`).selectOption('viewer');
  await page.getByText(`${email} is now viewer.`).waitFor();
  const users = await ownerApi('GET', '/v1/users?limit=500');
  assert.equal(users.find((u) => u.email === email).role, 'viewer');

  // Remove them, with confirmation.
  await page.getByRole('button', { name: `Remove ${email}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
  await page.getByText(`${email} was removed.`).waitFor();
  assert.ok(!(await ownerApi('GET', '/v1/users?limit=500')).some((u) => u.email === email));

  // A second invitation, revoked.
  const other = `other-${Date.now().toString(36)}@example.com`;
  await page.getByRole('button', { name: 'Invite member' }).click();
  await page.getByRole('form', { name: 'Invite a member' }).getByLabel('Email').fill(other);
  await page.getByRole('form', { name: 'Invite a member' }).getByRole('button', { name: 'Send invitation' }).click();
  await page.getByRole('region', { name: /Invitation for/ }).waitFor();
  await page.getByRole('button', { name: `Revoke the invitation of ${other}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke invitation' }).click();
  await page.locator('table.data tbody tr', { hasText: other }).getByText('revoked').waitFor();
  assert.deepEqual(pageErrors(page), []);
});

test('OAuth apps: the workspace’s apps and a member’s authorization, each revoked in the UI', async (t) => {
  if (!haveBrowser(t)) return;
  const clientName = unique('Desk app');
  const redirectUri = 'http://127.0.0.1:8765/callback';
  const registered = await ownerApi('POST', '/oauth/register', {
    client_name: clientName,
    redirect_uris: [redirectUri],
    scope: 'keys:read members:read',
  });
  assert.ok(registered.client_id);

  // The owner authorizes the app on the OAuth pages: the approval makes a grant.
  const { page: consent } = await newPage();
  await consent.route('http://127.0.0.1:8765/**', (route) => route.fulfill({ status: 200, body: 'callback' }));
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL('/oauth/authorize', BASE);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: registered.client_id,
    redirect_uri: redirectUri,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: 'console-test',
    scope: 'keys:read',
  }).toString();
  await consent.goto(authorize.href);
  await consent.getByLabel('Email').fill(OWNER_EMAIL);
  await consent.getByLabel('Password').fill(OWNER_PASSWORD);
  await consent.getByRole('button', { name: 'Sign in' }).click();
  const callback = consent.waitForRequest((r) => r.url().startsWith(redirectUri));
  await consent.getByRole('button', { name: 'Approve' }).click();
  assert.ok(new URL((await callback).url()).searchParams.get('code'));
  const grant = (await ownerApi('GET', '/v1/oauth_grants?limit=500')).find((g) => g.client_id === registered.client_id);
  assert.ok(grant, 'no grant after the approval');

  const { page } = await newPage();
  await signIn(page);
  await goTo(page, '#/oauth', 'OAuth apps');
  const grantRow = page.locator('table.data tbody tr', { hasText: grant.id });
  await grantRow.waitFor();
  assert.match(await grantRow.innerText(), new RegExp(clientName));
  assert.match(await grantRow.innerText(), /keys:read/);
  assert.match(await grantRow.innerText(), /you/);
  const row = page.locator('table.data tbody tr', { hasText: registered.client_id }).filter({ hasText: 'public' });
  await row.waitFor();
  assert.ok((await row.innerText()).includes(clientName));
  await screenshot(page, 'oauth');

  // Revoke the authorization, then the app.
  await grantRow.getByRole('button', { name: /Revoke the authorization/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke authorization' }).click();
  await page.getByText(`The authorization of “${clientName}” was revoked.`).waitFor();
  assert.equal(await page.locator('table.data tbody tr', { hasText: grant.id }).count(), 0);
  assert.ok(!(await ownerApi('GET', '/v1/oauth_grants?limit=500')).some((g) => g.id === grant.id));

  await row.getByRole('button', { name: `Revoke app ${clientName}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke app' }).click();
  await page.getByText(`The app “${clientName}” was revoked.`).waitFor();
  assert.equal(await page.locator('table.data tbody tr', { hasText: clientName }).count(), 0);
  const left = await ownerApi('GET', '/v1/oauth_clients?limit=500');
  assert.ok(!left.some((c) => c.client_id === registered.client_id));
  assert.deepEqual(pageErrors(page), []);
});

test('sign-out: the old cookie is refused afterwards', async (t) => {
  if (!haveBrowser(t)) return;
  const { context, page } = await newPage();
  await signIn(page);
  const cookie = await sessionCookie(context);
  assert.ok(cookie, 'no ambit_session cookie');
  assert.equal((await http('GET', '/v1/me', { cookie })).status, 200);
  assert.equal((await http('GET', '/console/api/session', { cookie })).status, 200);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await page.getByText('You have signed out.').waitFor();
  assert.equal(await sessionCookie(context), '', 'the cookie was not cleared');

  const me = await http('GET', '/v1/me', { cookie });
  assert.equal(me.status, 401, me.text);
  assert.equal((await http('GET', '/console/api/session', { cookie })).status, 401);
  // And the page, reloaded, asks for a sign-in.
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
});

test('an ended session shows the sign-in form again on the next call', async (t) => {
  if (!haveBrowser(t)) return;
  const { context, page } = await newPage();
  await signIn(page);
  const cookie = await sessionCookie(context);
  // Sign out behind the page's back (as another tab would).
  const csrf = await page.evaluate(async () => (await (await fetch('/console/api/session')).json()).data.csrf_token);
  const out = await http('POST', '/console/api/sign-out', { cookie, headers: { Origin: BASE, 'X-CSRF-Token': csrf } });
  assert.equal(out.status, 204, out.text);
  await goTo(page, '#/members');
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await page.getByText('Your session has ended').waitFor();
});

test('CSRF: a cross-origin form post creates no key; a request without the token is refused', async (t) => {
  if (!haveBrowser(t)) return;
  const { context, page } = await newPage();
  await signIn(page);
  const cookie = await sessionCookie(context);
  const marker = unique('csrf attack').replace(/\s/g, '-');

  // A form that posts JSON-looking text/plain to the API, auto-submitted by a page of another
  // origin (same host, another port: same-site, so the SameSite cookie goes along) and of
  // another site (localhost).
  const attack = (name) => `<!doctype html><meta charset="utf-8"><title>win a prize</title>
<form id="f" action="${BASE}/v1/api_keys" method="POST" enctype="text/plain">
<input type="hidden" name='{"name":"${name}","scopes":["keys:read"],"x":"' value='"}'>
</form>
<script>document.getElementById('f').submit()</script>`;
  const evil = await startOtherOrigin({ '/': attack(`${marker}-origin`), '/site': attack(`${marker}-site`) });
  const evilSite = evil.replace('127.0.0.1', 'localhost');
  for (const url of [`${evil}/`, `${evilSite}/site`]) {
    const victim = await context.newPage();
    const answered = victim.waitForResponse((r) => r.url() === `${BASE}/v1/api_keys` && r.request().method() === 'POST');
    await victim.goto(url);
    const res = await answered;
    assert.ok([401, 403].includes(res.status()), `the forged post was answered ${res.status()}`);
    await victim.close();
  }
  await page.waitForTimeout(300);
  const names = (await allKeys()).map((k) => k.name);
  assert.ok(!names.some((n) => n.startsWith(marker)), `a forged key was created: ${names.filter((n) => n.startsWith(marker))}`);

  // With the session cookie but a foreign Origin and no X-CSRF-Token: 403.
  const foreign = await http('POST', '/v1/api_keys', {
    cookie,
    headers: { Origin: evil },
    body: { name: `${marker}-fetch`, scopes: ['keys:read'] },
  });
  assert.equal(foreign.status, 403, foreign.text);
  assert.equal(foreign.json.error.code, 'CSRF_REJECTED');
  // Even from the console's own origin, a POST without the token is refused.
  const noToken = await http('POST', '/v1/api_keys', {
    cookie,
    headers: { Origin: BASE },
    body: { name: `${marker}-no-token`, scopes: ['keys:read'] },
  });
  assert.equal(noToken.status, 403, noToken.text);
  assert.equal(noToken.json.error.code, 'CSRF_REJECTED');
  // A wrong token too.
  const wrong = await http('POST', '/v1/api_keys', {
    cookie,
    headers: { Origin: BASE, 'X-CSRF-Token': 'not-the-token' },
    body: { name: `${marker}-wrong-token`, scopes: ['keys:read'] },
  });
  assert.equal(wrong.status, 403, wrong.text);
  assert.ok(!(await allKeys()).some((k) => k.name.startsWith(marker)));
});

test('session fixation: a session id set before sign-in is not kept', async (t) => {
  if (!haveBrowser(t)) return;
  // A made-up value, and a real session of the attacker's (signed in over HTTP).
  const signedIn = await http('POST', '/console/api/sign-in', {
    headers: { Origin: BASE },
    body: { email: OWNER_EMAIL, password: OWNER_PASSWORD },
  });
  assert.equal(signedIn.status, 200, signedIn.text);
  const setCookie = signedIn.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /ambit_session=/);
  assert.match(setCookie, /HttpOnly/i);
  assert.match(setCookie, /SameSite=Strict/i);
  assert.match(setCookie, /Path=\//i);
  const attackerToken = /ambit_session=([^;]+)/.exec(setCookie)[1];
  assert.equal((await http('GET', '/v1/me', { cookie: `ambit_session=${attackerToken}` })).status, 200);

  // In the browser: a made-up value planted in the cookie jar before the victim signs in.
  const planted = 'planted-session-value-0123456789';
  const { context, page } = await newPage();
  await context.addCookies([{ name: 'ambit_session', value: planted, url: BASE }]);
  await signIn(page);
  const now = await sessionCookie(context);
  assert.ok(now, 'no session cookie after sign-in');
  assert.notEqual(now, `ambit_session=${planted}`);
  assert.equal((await http('GET', '/v1/me', { cookie: now })).status, 200);
  const refused = await http('GET', '/v1/me', { cookie: `ambit_session=${planted}` });
  assert.equal(refused.status, 401, refused.text);

  // The attacker's own live session, planted: the sign-in issues another one and ends the planted one.
  const victim = await http('POST', '/console/api/sign-in', {
    cookie: `ambit_session=${attackerToken}`,
    headers: { Origin: BASE },
    body: { email: OWNER_EMAIL, password: OWNER_PASSWORD },
  });
  assert.equal(victim.status, 200, victim.text);
  const victimToken = /ambit_session=([^;]+)/.exec(victim.headers.get('set-cookie') ?? '')?.[1];
  assert.ok(victimToken && victimToken !== attackerToken);
  assert.equal((await http('GET', '/v1/me', { cookie: `ambit_session=${victimToken}` })).status, 200);
  assert.equal((await http('GET', '/v1/me', { cookie: `ambit_session=${attackerToken}` })).status, 401);
});

test('clickjacking: the console cannot be framed', async (t) => {
  if (!haveBrowser(t)) return;
  const res = await http('GET', '/console');
  assert.equal(res.status, 200);
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /default-src 'self'/);
  assert.equal(res.headers.get('x-frame-options'), 'DENY');

  const evil = await startOtherOrigin({
    '/': `<!doctype html><meta charset="utf-8"><title>framing</title>
<iframe id="console" src="${CONSOLE}" width="800" height="600"></iframe>
<iframe id="own" src="/inner" width="200" height="100"></iframe>`,
    '/inner': '<!doctype html><p id="inner">framed content</p>',
  });
  const { page } = await newPage();
  await page.goto(`${evil}/`);
  await page.waitForTimeout(1500);
  // The control: the attacker's own page renders in its frame, and the test can see it.
  const own = page.frames().find((f) => f.url() === `${evil}/inner`);
  assert.ok(own, 'the control frame did not load');
  assert.equal(await own.locator('#inner').innerText(), 'framed content');
  // The console's frame shows nothing of the console.
  for (const frame of page.frames()) {
    if (frame === page.mainFrame() || frame === own) continue;
    const hasConsole = await frame
      .evaluate(() => Boolean(document.querySelector('#app, #signin-email, .signin')))
      .catch(() => false);
    assert.equal(hasConsole, false, `the console rendered in a frame (${frame.url()})`);
  }
  await screenshot(page, 'clickjacking-frame');
});

test('workspace switcher: lists the user’s workspaces and opens another in a new session', async (t) => {
  if (!haveBrowser(t)) return;
  const created = await ownerApi('POST', '/v1/tenants', { name: unique('Staging') });
  const { context, page } = await newPage();
  await signIn(page);
  const before = await sessionCookie(context);
  const first = await page.evaluate(async () => (await (await fetch('/v1/me')).json()).data.tenant_id);
  assert.notEqual(first, created.tenant.id);

  const select = page.getByLabel('Workspace');
  const options = await select.locator('option').evaluateAll((os) => os.map((o) => ({ value: o.value, text: o.textContent })));
  assert.ok(options.some((o) => o.value === created.tenant.id && o.text.includes(created.tenant.name)), JSON.stringify(options));
  assert.ok(options.some((o) => o.value === first));
  await select.selectOption(created.tenant.id);
  await waitFor(
    async () => (await page.evaluate(async () => (await (await fetch('/v1/me')).json()).data?.tenant_id)) === created.tenant.id,
    { message: 'the session in the new workspace' },
  );
  await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
  assert.equal(await page.getByLabel('Workspace').inputValue(), created.tenant.id);
  // The new workspace's keys: its owner key only.
  await page.locator('table.data tbody tr', { hasText: `owner key for ${created.tenant.name}` }).waitFor();
  await screenshot(page, 'workspace-switched');

  // A new cookie; the old session is over.
  const after = await sessionCookie(context);
  assert.ok(after && after !== before);
  assert.equal((await http('GET', '/v1/me', { cookie: before })).status, 401);
  assert.deepEqual(pageErrors(page), []);
});

test('375 px: no horizontal page overflow on any page; keyboard navigation reaches the nav', async (t) => {
  if (!haveBrowser(t)) return;
  const { page } = await newPage({ width: 375, height: 812 });
  await page.goto(CONSOLE);
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  assert.ok((await page.evaluate(() => document.scrollingElement.scrollWidth)) <= 375);
  await screenshot(page, 'sign-in-375');
  await signIn(page);
  for (const [hash, heading, shot] of [
    ['#/keys', 'API keys', 'keys-375-list'],
    ['#/members', 'Members', 'members-375'],
    ['#/audit', 'Audit log', 'audit-375'],
    ['#/oauth', 'OAuth apps', 'oauth-375'],
  ]) {
    await goTo(page, hash, heading);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(150);
    const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
    assert.ok(width <= 375, `${hash}: the page is ${width} px wide at 375 px`);
    await screenshot(page, shot);
  }

  // The keyboard: from a fresh load, Tab reaches the menu button, Enter opens the nav,
  // Tab reaches its links, Enter follows one.
  await goTo(page, '#/keys', 'API keys');
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
  const focused = () => page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el?.tagName, text: el?.textContent?.trim(), href: el?.getAttribute('href') };
  });
  let found = false;
  for (let i = 0; i < 10 && !found; i++) {
    await page.keyboard.press('Tab');
    found = (await focused()).text === 'Menu';
  }
  assert.ok(found, 'Tab does not reach the Menu button');
  await page.keyboard.press('Enter');
  assert.equal(await page.getByRole('button', { name: 'Menu' }).getAttribute('aria-expanded'), 'true');
  await screenshot(page, 'nav-375-open');
  found = false;
  for (let i = 0; i < 10 && !found; i++) {
    await page.keyboard.press('Tab');
    found = (await focused()).href === '#/audit';
  }
  assert.ok(found, 'Tab does not reach the nav links at 375 px');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
  assert.deepEqual(pageErrors(page), []);
});

test('1440 px: keyboard navigation reaches every nav link; focus is visible', async (t) => {
  if (!haveBrowser(t)) return;
  const { page } = await newPage();
  await signIn(page);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
  const hrefs = new Set();
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement;
      return { href: el?.getAttribute('href'), inNav: Boolean(el?.closest('nav')), outline: getComputedStyle(el).outlineStyle };
    });
    if (info.inNav) {
      hrefs.add(info.href);
      assert.notEqual(info.outline, 'none', `no visible focus on ${info.href}`);
    }
  }
  for (const href of ['#/keys', '#/projects', '#/members', '#/audit', '#/oauth', '#/attestation']) {
    assert.ok(hrefs.has(href), `Tab does not reach ${href}`);
  }
  // Every form control of the identity pages has a label.
  for (const [hash, heading] of [
    ['#/keys', 'API keys'],
    ['#/members', 'Members'],
    ['#/audit', 'Audit log'],
    ['#/oauth', 'OAuth apps'],
  ]) {
    await goTo(page, hash, heading);
    await page.waitForLoadState('networkidle');
    if (hash === '#/keys') await page.getByRole('button', { name: 'Create key' }).click();
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea, button')]
        .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.tagName === 'BUTTON' && el.textContent.trim())))
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    assert.deepEqual(unlabelled, [], `${hash}: controls without a label`);
  }
  await screenshot(page, 'keys-create-form');
});

test('the console shell is small: index.html, app.js, lib.js, console.css and keys.js', async () => {
  let total = 0;
  for (const path of ['/console', '/console/assets/app.js', '/console/assets/lib.js', '/console/assets/console.css', '/console/assets/keys.js']) {
    const res = await http('GET', path);
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    total += Buffer.byteLength(res.text);
  }
  assert.ok(total < 250 * 1024, `the first load is ${total} bytes`);
});
