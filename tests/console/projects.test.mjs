// The console's project pages in headless Chromium: projects (create, watch the
// provisioning become active, the keys shown once; the detail page: mint and revoke a
// key, archive and unarchive), remote config (a key with conditions, reordered, and the
// preview changing between an ios and an android context, equal to what the client
// endpoint answers), secrets (set one and watch it become synced; the value never shown),
// attestation (a policy, an API client with its keys shown at creation, its policy and
// tags), each page screenshotted, and no horizontal overflow at 375 px.
// Run by tests/console/check.sh (environment in helpers.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { KEY, goTo, haveBrowser, http, newPage, onCleanup, ownerApi, pageErrors, screenshot, signIn, unique, waitFor } from './helpers.mjs';

assert.ok(KEY, 'AMBIT_KEY (the owner API key) is required');
// The first onCleanup registers the file's after() hook: here, at the top level, so that the
// browser and its contexts are closed after the file's last test, not after the first one.
onCleanup(() => {});

// Shared by the tests of this file, which run in order.
let page = null;
let projectId = '';
let clientKey = '';

/** The signed-in page (one per file). */
async function signedIn(t) {
  if (!haveBrowser(t)) return null;
  if (!page) {
    ({ page } = await newPage());
    await signIn(page);
  }
  return page;
}

/** The text of a locator once it matches re (polls). */
async function textMatching(locator, re, message) {
  return waitFor(
    async () => {
      const text = (await locator.count()) ? await locator.first().textContent() : '';
      return re.test(text ?? '') ? text : null;
    },
    { timeout: 15000, message },
  );
}

test('projects: create a project, its keys shown once, provisioning until active', async (t) => {
  const p = await signedIn(t);
  if (!p) return;
  await goTo(p, '#/projects', 'Projects');
  const name = unique('Console project');
  await p.getByLabel('Name', { exact: true }).fill(name);
  await p.getByLabel('Platform').selectOption('ios');
  await p.getByRole('button', { name: 'Create project' }).click();

  const box = p.locator('section.once');
  await box.getByRole('heading', { name: `Project “${name}” created` }).waitFor();
  clientKey = (await box.locator('[data-once-key="Client key"]').textContent()) ?? '';
  const serverKey = (await box.locator('[data-once-key="Server key"]').textContent()) ?? '';
  assert.match(clientKey, /^amb_client_ck_[0-9A-Za-z]{32}$/);
  assert.match(serverKey, /^amb_server_sk_[0-9A-Za-z]{32}$/);
  assert.match((await box.textContent()) ?? '', /you will not see them again/);
  assert.equal(await box.getByRole('button', { name: /^Copy (client|server) key$/ }).count(), 2);
  projectId = (await box.locator('.provisioning').getAttribute('data-project-id')) ?? '';
  assert.match(projectId, /^prj_[0-9a-f]{24}$/);

  // The status is polled until it is active.
  await box.locator('.provisioning [data-status="active"]').waitFor({ timeout: 15000 });
  const status = await ownerApi('GET', `/v1/admin/projects/${projectId}/provisioning-status`);
  assert.equal(status.status, 'active');

  // The list shows it, active.
  const row = p.getByRole('row').filter({ has: p.getByRole('link', { name }) });
  await row.locator('[data-status="active"]').waitFor();
  await screenshot(p, 'projects');

  // Done: the keys are gone from the page.
  await box.getByRole('button', { name: 'I have copied the keys' }).click();
  await box.waitFor({ state: 'detached' });
  assert.ok(!((await p.content()).includes(clientKey)), 'the client key is no longer on the page');

  // The key shown once works on the client endpoint.
  const res = await http('GET', '/v1/client/config', { key: clientKey });
  assert.equal(res.status, 200, res.text);
});

test('projects: the detail page mints and revokes a key, archives and unarchives', async (t) => {
  const p = await signedIn(t);
  if (!p || !projectId) return t.skip('no project');
  const project = await ownerApi('GET', `/v1/admin/projects/${projectId}`);
  await p.getByRole('link', { name: project.name }).click();
  await p.getByRole('heading', { level: 1, name: project.name }).waitFor();
  await p.locator('[data-status="active"]').first().waitFor();
  await p.getByRole('link', { name: 'Remote config' }).waitFor();
  await p.getByRole('link', { name: 'Secrets' }).waitFor();

  // Mint a production server key: shown once.
  await p.getByLabel('Key type').selectOption('server');
  await p.getByLabel('Environment', { exact: true }).selectOption('production');
  await p.getByRole('button', { name: 'Mint key' }).click();
  const minted = (await p.locator('section.once [data-once-key="Server key"]').textContent()) ?? '';
  assert.match(minted, /^amb_server_sk_[0-9A-Za-z]{32}$/);
  const keysTable = p.getByRole('table', { name: 'Project API keys' });
  const mintedRow = keysTable.getByRole('row').filter({ hasText: minted.slice(0, 22) });
  await mintedRow.waitFor();
  assert.equal((await http('GET', '/v1/client/config', { key: minted })).status, 200);
  await screenshot(p, 'project-detail');

  // Revoke it (confirmed in the dialog): the table says so and the key is refused.
  await mintedRow.getByRole('button', { name: /^Revoke key/ }).click();
  await p.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
  await mintedRow.getByText('Revoked', { exact: true }).waitFor();
  const refused = await http('GET', '/v1/client/config', { key: minted });
  assert.equal(refused.status, 401);
  assert.equal(refused.json?.error?.details?.reason, 'revoked');

  // Archive (confirmed), then unarchive.
  await p.getByRole('button', { name: 'Archive', exact: true }).click();
  await p.getByRole('dialog').getByRole('button', { name: 'Archive' }).click();
  await p.getByRole('button', { name: 'Unarchive' }).waitFor();
  assert.equal((await ownerApi('GET', `/v1/admin/projects/${projectId}`)).archived, true);
  await p.getByRole('button', { name: 'Unarchive' }).click();
  await p.getByRole('button', { name: 'Archive', exact: true }).waitFor();
  assert.equal((await ownerApi('GET', `/v1/admin/projects/${projectId}`)).archived, false);
});

test('remote config: a key with a condition, reordered; the preview changes between ios and android', async (t) => {
  const p = await signedIn(t);
  if (!p || !projectId) return t.skip('no project');
  await p.getByRole('link', { name: 'Remote config' }).click();
  await p.getByRole('heading', { level: 1, name: /^Remote config/ }).waitFor();
  // Provisioning seeded the system segments.
  const segments = p.getByRole('table', { name: 'Segments' });
  await segments.getByRole('cell', { name: 'ios', exact: true }).waitFor();

  // A string key whose condition for the ios segment overrides the default.
  await p.getByRole('button', { name: 'Add key' }).click();
  const editor = p.locator('form.key-editor');
  await editor.getByLabel('Key', { exact: true }).fill('welcome_text');
  await editor.getByLabel('Default value').fill('Hello');
  await editor.getByRole('button', { name: 'Add condition' }).click();
  const first = editor.locator('li.condition').nth(0);
  await first.getByLabel('Segment').selectOption('ios');
  await first.getByLabel('Value', { exact: true }).fill('Hello, iOS');
  await editor.getByRole('button', { name: 'Save key' }).click();
  await editor.waitFor({ state: 'detached' });
  await p.getByRole('table', { name: 'Config keys' }).getByRole('cell', { name: 'welcome_text', exact: true }).waitFor();

  const platform = p.getByLabel('Platform', { exact: true });
  const value = p.locator('.preview-result tr[data-key="welcome_text"] code.preview-value');
  await platform.fill('ios');
  await textMatching(value, /^"Hello, iOS"$/, 'the ios preview');
  await platform.fill('android');
  await textMatching(value, /^"Hello"$/, 'the android preview');

  // The preview is what the client endpoint answers for the same context.
  const ios = await http('GET', '/v1/client/config?platform=ios', { key: clientKey });
  assert.equal(ios.json?.data?.config?.welcome_text, 'Hello, iOS');
  const android = await http('GET', '/v1/client/config?platform=android', { key: clientKey });
  assert.equal(android.json?.data?.config?.welcome_text, 'Hello');

  // A second condition (every user), moved up with the keyboard: it now wins for ios too.
  await p.getByRole('button', { name: 'Edit welcome_text' }).click();
  await editor.getByRole('button', { name: 'Add condition' }).click();
  const second = editor.locator('li.condition').nth(1);
  await second.getByLabel('Segment').selectOption('all_users');
  await second.getByLabel('Value', { exact: true }).fill('Hello, everyone');
  await second.getByRole('button', { name: 'Move condition 2 up' }).focus();
  await p.keyboard.press('Enter');
  await editor.locator('li.condition').nth(0).getByRole('button', { name: 'Move condition 1 up' }).waitFor();
  assert.equal(await editor.locator('li.condition').nth(0).getByLabel('Segment').inputValue(), 'all_users');
  // The focus stayed on the moved condition's buttons.
  assert.match((await p.evaluate(() => document.activeElement?.getAttribute('aria-label'))) ?? '', /^Move condition 1 (up|down)$/);
  await editor.getByRole('button', { name: 'Save key' }).click();
  await editor.waitFor({ state: 'detached' });

  // Saving refreshed the preview (android): every user now gets the first condition.
  await textMatching(value, /^"Hello, everyone"$/, 'the preview after the save');
  await platform.fill('ios');
  await textMatching(value, /^"Hello, everyone"$/, 'the ios preview after the reorder');
  const row = await ownerApi('GET', `/v1/admin/projects/${projectId}/config`);
  assert.deepEqual(
    row.find((e) => e.key === 'welcome_text').conditions.map((c) => c.segment),
    ['all_users', 'ios'],
  );

  // The history lists the writes.
  await p.getByRole('table', { name: 'Config versions' }).getByRole('cell', { name: 'config.set' }).first().waitFor();
  await screenshot(p, 'config');
});

test('secrets: set a secret and watch it become synced; the value is never shown', async (t) => {
  const p = await signedIn(t);
  if (!p || !projectId) return t.skip('no project');
  await p.getByRole('link', { name: 'Secrets' }).first().click();
  await p.getByRole('heading', { level: 1, name: /^Secrets/ }).waitFor();

  const secret = `sk_test_${Date.now().toString(36)}_console`;
  const valueInput = p.getByLabel('Value', { exact: true });
  assert.equal(await valueInput.getAttribute('type'), 'password');
  await p.getByLabel('Name', { exact: true }).fill('STRIPE_KEY');
  await valueInput.fill(secret);
  await p.getByRole('button', { name: 'Save secret' }).click();
  await p.getByText(/STRIPE_KEY saved as version 1/).waitFor();
  assert.equal(await valueInput.inputValue(), '', 'the value field is cleared after saving');

  // The list updates itself (every 2 s) until the sync is done.
  await p.locator('[data-secret="/STRIPE_KEY"] [data-sync-status="synced"]').waitFor({ timeout: 20000 });
  const rows = await ownerApi('GET', `/v1/admin/projects/${projectId}/secrets`);
  assert.equal(rows.find((r) => r.name === 'STRIPE_KEY')?.sync_status, 'synced');
  assert.ok(!(await p.content()).includes(secret), 'the value is not on the page');
  await screenshot(p, 'secrets');
});

test('attestation: plans, a policy, an API client with its keys, policy and tags', async (t) => {
  const p = await signedIn(t);
  if (!p) return;
  await goTo(p, '#/attestation', 'Attestation');
  const plans = p.getByRole('table', { name: 'Services and plans' });
  await plans.getByRole('cell', { name: 'SGX Attestation', exact: true }).waitFor();
  await plans.getByRole('cell', { name: 'Premium' }).first().waitFor();

  // A policy of SGX Attestation.
  const policyName = unique('sgx-policy').replace(' ', '-');
  await p.getByText('Create a policy', { exact: true }).click();
  await p.locator('[name="policy-name"]').fill(policyName);
  await p.locator('[name="policy-service"]').selectOption({ label: 'SGX Attestation' });
  await p.locator('[name="policy-text"]').fill('default matches_sgx_policy = true');
  await p.getByRole('button', { name: 'Create policy' }).click();
  await p.getByRole('table', { name: 'Policies' }).getByRole('cell', { name: policyName, exact: true }).waitFor();

  // An API client on the SGX service with that policy and a tag: its keys are shown at creation.
  const clientName = unique('Console client');
  await p.getByText('Create an API client for SGX Attestation', { exact: true }).click();
  await p.locator('[name="client-name"]').fill(clientName);
  await p.getByRole('checkbox', { name: policyName }).check();
  await p.getByRole('button', { name: 'Add tag' }).click();
  await p.locator('[name="tag-key"]').fill('Workload');
  await p.locator('[name="tag-value"]').fill('AI Workload');
  await p.getByRole('button', { name: 'Create client' }).click();
  const once = p.locator('section.once');
  await once.getByRole('heading', { name: `API client “${clientName}” created` }).waitFor();
  const key = (await once.locator('[data-once-key="Key 1"]').textContent()) ?? '';
  assert.match(key, /^[0-9a-f]{32}$/);

  // The API has the client with that key, its policy and its tag.
  const sgx = (await ownerApi('GET', '/management/v1/services')).find((s) => s.name === 'SGX Attestation');
  const summary = (await ownerApi('GET', `/management/v1/services/${sgx.id}/api-clients?limit=500`)).find((c) => c.name === clientName);
  const client = await ownerApi('GET', `/management/v1/services/${sgx.id}/api-clients/${summary.id}`);
  assert.ok(client.keys.includes(key));
  assert.equal(client.status, 'Active');
  const policy = (await ownerApi('GET', '/management/v1/policies?limit=500')).find((pol) => pol.name === policyName);
  assert.deepEqual(client.policy_ids, [policy.id]);
  assert.deepEqual(
    client.tags.map((tag) => [tag.key, tag.value]),
    [['Workload', 'AI Workload']],
  );

  // The client's details: its policy and tag.
  await p.getByRole('button', { name: `Details of ${clientName}` }).click();
  const details = p.getByRole('table', { name: `API client ${clientName}` });
  await details.getByText('Workload=AI Workload').waitFor();
  await details.getByText(policyName).waitFor();
  await screenshot(p, 'attestation');
});

test('the project pages at 375 px: nothing sticks out of the screen', async (t) => {
  if (!haveBrowser(t)) return;
  if (!projectId) return t.skip('no project');
  const { page: narrow } = await newPage({ width: 375, height: 800 });
  await signIn(narrow);
  const project = await ownerApi('GET', `/v1/admin/projects/${projectId}`);
  const pages = [
    ['#/projects', 'Projects'],
    [`#/projects/${projectId}`, project.name],
    [`#/projects/${projectId}/config`, /^Remote config/],
    [`#/projects/${projectId}/secrets`, /^Secrets/],
    ['#/attestation', 'Attestation'],
  ];
  for (const [hash, heading] of pages) {
    await goTo(narrow, hash, heading);
    await narrow.waitForFunction(() => !document.querySelector('main .state.loading'));
    // Elements reaching past the right edge, outside horizontally scrolling wrappers.
    const over = await narrow.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const out = [];
      for (const el of document.querySelectorAll('main *')) {
        if (el.closest('.table-wrap') || el.closest('[hidden]') || el.closest('details:not([open])')) continue;
        const r = el.getBoundingClientRect();
        if (r.width && r.right > width + 1) out.push(`${el.tagName.toLowerCase()}.${el.className} (${Math.round(r.right)} px)`);
      }
      return out.slice(0, 5);
    });
    assert.deepEqual(over, [], `${hash} at 375 px`);
  }
  await goTo(narrow, `#/projects/${projectId}/config`, /^Remote config/);
  await screenshot(narrow, 'config-375');
  assert.deepEqual(pageErrors(narrow), []);
});

test('no page errors on the project pages', (t) => {
  if (!page) return t.skip('no browser');
  assert.deepEqual(pageErrors(page), []);
});
