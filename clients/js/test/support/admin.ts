// The admin API as the tests drive it, with the owner's key (AMBIT_KEY) on the
// server check.sh started (AMBIT_URL): projects, project keys, config keys
// and segments.
import assert from 'node:assert/strict';

export const serverUrl = (process.env.AMBIT_URL ?? '').replace(/\/$/, '');
const ownerKey = process.env.AMBIT_KEY ?? '';
assert.ok(serverUrl && ownerKey, 'AMBIT_URL and AMBIT_KEY (check.sh sets them)');

export interface Answer {
  status: number;
  json: any; // the tests read the fields they assert
  text: string;
}

export async function rest(method: string, path: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { Authorization: `Bearer ${ownerKey}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(serverUrl + path, {
    method,
    headers,
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

export async function restOk(method: string, path: string, body?: unknown): Promise<Answer> {
  const answer = await rest(method, path, body);
  assert.ok(answer.status >= 200 && answer.status < 300, `${method} ${path}: HTTP ${answer.status} ${answer.text}`);
  return answer;
}

export interface TestProject {
  id: string;
  /** The client key minted with the project (development). */
  clientKey: string;
  clientKeyId: string;
}

/** A new project, once it is active (provisioning seeds the system segments ios, android, web). */
export async function createProject(name: string): Promise<TestProject> {
  const created = await restOk('POST', '/v1/admin/projects', { name });
  const { project, api_keys: keys } = created.json.data;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const state = await restOk('GET', `/v1/admin/projects/${project.id}/provisioning-status`);
    if (state.json.data.status === 'active') break;
    assert.ok(state.json.data.status !== 'failed', `provisioning failed: ${state.text}`);
    assert.ok(Date.now() < deadline, `project ${project.id} not active within 30 s: ${state.text}`);
    await delay(100);
  }
  return { id: project.id, clientKey: keys.client.key, clientKeyId: keys.client.id };
}

/** Another client key of the project: `{id, key}`. */
export async function mintClientKey(projectId: string): Promise<{ id: string; key: string }> {
  const minted = await restOk('POST', `/v1/admin/projects/${projectId}/api-keys`, {
    key_type: 'client',
    environment: 'development',
  });
  return { id: minted.json.data.id, key: minted.json.data.key };
}

export async function revokeKey(projectId: string, keyId: string): Promise<void> {
  await restOk('DELETE', `/v1/admin/projects/${projectId}/api-keys/${keyId}`);
}

/** Upserts a key: `{key, value, value_type?, conditions?}`. */
export async function setConfig(projectId: string, entry: Record<string, unknown>): Promise<void> {
  await restOk('POST', `/v1/admin/projects/${projectId}/config`, entry);
}

export async function setValue(projectId: string, key: string, value: unknown): Promise<void> {
  await restOk('PATCH', `/v1/admin/projects/${projectId}/config/${key}`, { value });
}

export async function createSegment(projectId: string, segment: Record<string, unknown>): Promise<void> {
  await restOk('POST', `/v1/admin/projects/${projectId}/segments`, segment);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `check` returns true, polling every 20 ms; fails after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    assert.ok(Date.now() < deadline, `not within ${timeoutMs} ms: ${what}`);
    await delay(20);
  }
}
