// ambit's MCP server (/mcp) driven by the official TypeScript SDK, as real
// MCP clients (agents, IDEs) use it. Run by check.sh against a server it
// started; node:test, the tests run in order and share what they create.
//
//   AMBIT_URL             the server's public_url (http://127.0.0.1:PORT)
//   AMBIT_KEY             the bootstrap owner's API key
//   AMBIT_OWNER_EMAIL     the owner's email and password, for the OAuth
//   AMBIT_OWNER_PASSWORD  sign-in page
//
// What the SDK hides (status codes, headers, the RFC 9728 document, sessions)
// is checked with plain fetch at the end.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, test } from 'node:test';

import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';

const base = (process.env.AMBIT_URL ?? '').replace(/\/$/, '');
const ownerKey = process.env.AMBIT_KEY;
const ownerEmail = process.env.AMBIT_OWNER_EMAIL;
const ownerPassword = process.env.AMBIT_OWNER_PASSWORD;
assert.ok(base && ownerKey && ownerEmail && ownerPassword, 'AMBIT_URL, AMBIT_KEY, AMBIT_OWNER_EMAIL, AMBIT_OWNER_PASSWORD');
const mcpUrl = `${base}/mcp`;
const prmUrl = `${base}/.well-known/oauth-protected-resource/mcp`;
const prefix = 'amba';
const toolName = (operationId) => `${prefix}_${operationId.replaceAll('.', '_')}`;
const SECRET_TOOLS = ['amba_secrets_delete', 'amba_secrets_get', 'amba_secrets_list', 'amba_secrets_set'];
const TIMEOUT = { timeout: 60_000 };

// --- shared state -----------------------------------------------------------------------------
const state = {
  projectId: '', // created over REST by the first test
  ownerKeyId: '',
  ownerTools: new Map(), // MCP tool name -> tool as tools/list gave it to the owner
  restTools: new Map(), // MCP tool name -> the /v1/tools entry (the owner's)
  revokedTokens: [], // OAuth access tokens whose grant or client was revoked
};
// Tool calls that returned a result, per credential id: tool name -> count. The
// audit test expects exactly these rows.
const calls = new Map();
const clients = [];
after(async () => {
  for (const c of clients) await c.close().catch(() => {});
});

// --- helpers ----------------------------------------------------------------------------------
async function rest(method, path, { token = ownerKey, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

async function restOk(method, path, opts) {
  const r = await rest(method, path, opts);
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: HTTP ${r.status} ${r.text}`);
  return r.json;
}

/** All pages of a list route ({data, next_cursor}). */
async function restAll(path, opts) {
  const rows = [];
  let cursor = null;
  for (let page = 0; page < 100; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const body = await restOk('GET', cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path, opts);
    rows.push(...body.data);
    cursor = body.next_cursor;
    if (!cursor) return rows;
  }
  throw new Error(`${path}: more than 100 pages`);
}

/** A connected SDK client with an API key in every request's headers. */
async function connectWithKey(key, name = 'ambit-mcp-test') {
  const client = new Client({ name, version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  });
  await client.connect(transport);
  clients.push(client);
  return { client, transport };
}

/** Every tool, following nextCursor; checks the cursors move forward. */
async function listAllTools(client) {
  const tools = [];
  const cursors = new Set();
  let cursor;
  let pages = 0;
  do {
    const page = await client.listTools(cursor === undefined ? undefined : { cursor });
    pages++;
    assert.ok(Array.isArray(page.tools), 'tools/list answers a tools array');
    tools.push(...page.tools);
    cursor = page.nextCursor;
    if (cursor !== undefined) {
      assert.equal(typeof cursor, 'string');
      assert.ok(!cursors.has(cursor), `nextCursor ${cursor} came twice`);
      cursors.add(cursor);
    }
    assert.ok(pages < 100, 'tools/list: more than 100 pages');
  } while (cursor !== undefined);
  const names = tools.map((t) => t.name);
  assert.equal(new Set(names).size, names.length, `a tool is listed twice: ${names}`);
  return { tools, pages };
}

const outputValidator = new AjvJsonSchemaValidator();
/**
 * tools/call through the SDK, counted for the audit test. A structured result
 * is checked against the tool's outputSchema (the SDK only checks the tools of
 * the last tools/list page it saw).
 */
async function callTool(client, credentialId, name, args, options) {
  const result = await client.callTool({ name, arguments: args }, undefined, options);
  const perTool = calls.get(credentialId) ?? new Map();
  perTool.set(name, (perTool.get(name) ?? 0) + 1);
  calls.set(credentialId, perTool);
  assert.ok(Array.isArray(result.content), `${name}: content is an array`);
  const schema = state.ownerTools.get(name)?.outputSchema;
  if (schema && result.structuredContent && !result.isError) {
    const check = outputValidator.getValidator(schema)(result.structuredContent);
    assert.ok(check.valid, `${name}: structuredContent does not match outputSchema: ${check.errorMessage}`);
  }
  return result;
}

function textOf(result) {
  return result.content
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}

/** A successful call: no isError, structuredContent (the REST body) and a text rendering. */
function assertSuccess(name, result) {
  assert.ok(!result.isError, `${name} failed: ${textOf(result)}`);
  assert.ok(result.structuredContent && typeof result.structuredContent === 'object', `${name}: structuredContent`);
  assert.ok('data' in result.structuredContent, `${name}: structuredContent is the REST body {"data": ...}`);
  assert.ok(textOf(result).length > 0, `${name}: a text content`);
}

/** An API error as a tool result (never a JSON-RPC error): isError, the code and, where given, missing_scope. */
function assertToolError(name, result, code, missingScope) {
  assert.equal(result.isError, true, `${name}: isError (got ${JSON.stringify(result)})`);
  const text = textOf(result);
  assert.ok(text.includes(code), `${name}: the text names the code ${code}: ${text}`);
  if (missingScope) assert.ok(text.includes(missingScope), `${name}: the text names missing_scope ${missingScope}: ${text}`);
  if (result.structuredContent) {
    const found = findValues(result.structuredContent);
    assert.ok(found.code.includes(code), `${name}: structuredContent carries code ${code}`);
    if (missingScope)
      assert.ok(found.missing_scope.includes(missingScope), `${name}: structuredContent carries missing_scope`);
  }
}

/** Values of the keys `code` and `missing_scope` anywhere in a JSON value. */
function findValues(value, found = { code: [], missing_scope: [] }) {
  if (Array.isArray(value)) value.forEach((v) => findValues(v, found));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if (k in found) found[k].push(v);
      findValues(v, found);
    }
  return found;
}

// Raw JSON-RPC over HTTP, for what the SDK does not show.
async function rawPost(message, { token, sessionId, origin, protocolVersion, headers = {} } = {}) {
  const h = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (sessionId) h['mcp-session-id'] = sessionId;
  if (origin) h.origin = origin;
  if (protocolVersion) h['mcp-protocol-version'] = protocolVersion;
  const res = await fetch(mcpUrl, { method: 'POST', headers: h, body: JSON.stringify(message) });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  let messages = [];
  if (type.startsWith('text/event-stream')) {
    for (const event of text.split(/\r?\n\r?\n/)) {
      const data = event
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (data) messages.push(JSON.parse(data));
    }
  } else if (type.startsWith('application/json') && text) {
    const parsed = JSON.parse(text);
    messages = Array.isArray(parsed) ? parsed : [parsed];
  }
  return { status: res.status, headers: res.headers, text, messages };
}

const initializeMessage = (protocolVersion = '2025-11-25', id = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion, capabilities: {}, clientInfo: { name: 'ambit-raw-check', version: '1.0.0' } },
});

/** initialize + notifications/initialized over raw HTTP: the session id and the negotiated version. */
async function rawSession(token, protocolVersion = '2025-11-25') {
  const init = await rawPost(initializeMessage(protocolVersion), { token });
  assert.equal(init.status, 200, `initialize: HTTP ${init.status} ${init.text}`);
  const sessionId = init.headers.get('mcp-session-id');
  assert.ok(sessionId, 'initialize answers Mcp-Session-Id');
  assert.match(sessionId, /^[\x21-\x7e]+$/, 'a session id is visible ASCII (MCP transports)');
  const result = init.messages.find((m) => m.id === 1)?.result;
  assert.ok(result, `initialize result: ${init.text}`);
  const done = await rawPost(
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { token, sessionId, protocolVersion: result.protocolVersion },
  );
  assert.equal(done.status, 202, `notifications/initialized: HTTP ${done.status} ${done.text}`);
  return { sessionId, result };
}

// --- OAuth: the sign-in and consent pages, completed over HTTP as a browser would ---------------
function unescapeHtml(s) {
  return s
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

function formFields(html) {
  const fields = {};
  for (const [tag] of html.matchAll(/<input\b[^>]*>/g)) {
    const attr = (a) => {
      const m = new RegExp(`\\b${a}="([^"]*)"`).exec(tag);
      return m ? unescapeHtml(m[1]) : undefined;
    };
    if (attr('type') === 'hidden' && attr('name') !== undefined) fields[attr('name')] = attr('value') ?? '';
  }
  // A workspace list (a user of several tenants): the first one.
  if (!('tenant_id' in fields)) {
    const option = /<select[^>]*name="tenant_id"[^>]*>\s*<option[^>]*value="([^"]*)"/.exec(html);
    if (option) fields.tenant_id = unescapeHtml(option[1]);
  }
  return fields;
}

async function postForm(fields, cookie) {
  return fetch(`${base}/oauth/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
}

/** Opens the authorization URL, signs in as the owner, approves; the redirect's URL (code, state, iss). */
async function signInAndConsent(authorizationUrl) {
  let res = await fetch(authorizationUrl, { redirect: 'manual' });
  let html = await res.text();
  assert.equal(res.status, 200, `GET ${authorizationUrl}: HTTP ${res.status} ${html.slice(0, 500)}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('ambit_oauth_csrf='));
  assert.ok(cookie, 'the sign-in page sets the CSRF cookie');
  const login = formFields(html);
  assert.equal(login.step, 'login', 'the sign-in form');
  res = await postForm({ ...login, email: ownerEmail, password: ownerPassword }, cookie);
  html = await res.text();
  assert.equal(res.status, 200, `sign-in: HTTP ${res.status} ${html.slice(0, 500)}`);
  const consent = formFields(html);
  assert.equal(consent.step, 'consent', 'the consent form');
  assert.ok(consent.login_ticket && consent.tenant_id, 'the consent form holds a login ticket and the workspace');
  res = await postForm({ ...consent, decision: 'approve' }, cookie);
  await res.text();
  assert.equal(res.status, 302, `approve: HTTP ${res.status}`);
  const location = new URL(res.headers.get('location'));
  assert.equal(location.searchParams.get('iss'), base, 'iss is the issuer (RFC 9207)');
  assert.ok(location.searchParams.get('code'), `approve redirects with a code: ${location}`);
  return location;
}

/**
 * The SDK's OAuthClientProvider, kept in memory. redirectToAuthorization is the
 * user in the browser: it completes sign-in and consent over HTTP and keeps the
 * code, as the app's redirect endpoint would. With `interactive` false, nobody
 * is there: the flow stops at the redirect.
 */
class MemoryOAuthProvider {
  constructor(name) {
    this.name = name;
    this.interactive = true;
    this.authorizationUrls = [];
    this.code = undefined;
    this.discovery = undefined;
    this._client = undefined;
    this._tokens = undefined;
    this._verifier = undefined;
    this._state = undefined;
  }
  get redirectUrl() {
    return 'http://127.0.0.1:8976/callback';
  }
  get clientMetadata() {
    return {
      client_name: this.name,
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  state() {
    this._state = randomBytes(16).toString('hex');
    return this._state;
  }
  clientInformation() {
    return this._client;
  }
  saveClientInformation(info) {
    this._client = info;
  }
  tokens() {
    return this._tokens;
  }
  saveTokens(tokens) {
    this._tokens = tokens;
  }
  saveCodeVerifier(verifier) {
    this._verifier = verifier;
  }
  codeVerifier() {
    return this._verifier;
  }
  saveDiscoveryState(discovery) {
    this.discovery = discovery;
  }
  discoveryState() {
    return this.discovery;
  }
  invalidateCredentials(scope) {
    if (scope === 'all' || scope === 'client') this._client = undefined;
    if (scope === 'all' || scope === 'tokens') this._tokens = undefined;
    if (scope === 'all' || scope === 'verifier') this._verifier = undefined;
    if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
  }
  async redirectToAuthorization(url) {
    this.authorizationUrls.push(new URL(url));
    if (!this.interactive) return;
    const back = await signInAndConsent(url);
    assert.equal(back.origin + back.pathname, this.redirectUrl, 'back to the registered redirect URI');
    assert.equal(back.searchParams.get('state'), this._state, 'state comes back unchanged');
    this.code = back.searchParams.get('code');
  }
}

/** fetch for the SDK that logs each request; `registerWith` adds a tenant credential to the registration. */
function recordingFetch(log, { registerWith } = {}) {
  return async (input, init = {}) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const headers = new Headers(init.headers);
    if (registerWith && url.pathname === '/oauth/register') headers.set('authorization', `Bearer ${registerWith}`);
    const res = await fetch(input, { ...init, headers });
    log.push({
      method: init.method ?? 'GET',
      path: url.pathname,
      status: res.status,
      authorization: headers.get('authorization') ?? '',
      body: init.body instanceof URLSearchParams ? new URLSearchParams(init.body) : init.body,
      wwwAuthenticate: res.headers.get('www-authenticate') ?? '',
    });
    return res;
  };
}

/**
 * The whole OAuth journey of an MCP client without a credential: connect,
 * 401, discovery, registration, authorization (PKCE, resource), token, then a
 * connected client. Returns the client, its provider and the request log.
 */
async function connectWithOAuth(name, { registerWith } = {}) {
  const provider = new MemoryOAuthProvider(name);
  const log = [];
  const fetchFn = recordingFetch(log, { registerWith });
  const first = new Client({ name, version: '1.0.0' });
  const firstTransport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider, fetch: fetchFn });
  await assert.rejects(first.connect(firstTransport), UnauthorizedError, 'without a token the SDK is sent to authorize');
  assert.ok(provider.code, 'the authorization ended with a code');
  await firstTransport.finishAuth(provider.code);
  await first.close().catch(() => {});

  const client = new Client({ name, version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider, fetch: fetchFn });
  await client.connect(transport);
  clients.push(client);
  return { client, transport, provider, log };
}

function pkce() {
  const verifier = randomBytes(48).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

/** An access token obtained by hand (register, authorize, token) for `resource` and `scope`. */
async function tokenFor(resource, scope) {
  const redirectUri = 'http://127.0.0.1:8977/callback';
  const reg = await fetch(`${base}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: `raw ${resource}`, redirect_uris: [redirectUri] }),
  });
  const client = await reg.json();
  assert.equal(reg.status, 201, `POST /oauth/register: ${JSON.stringify(client)}`);
  const { verifier, challenge } = pkce();
  const authorize = new URL(`${base}/oauth/authorize`);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    scope,
    state: 'raw',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    resource,
  }))
    authorize.searchParams.set(k, v);
  const back = await signInAndConsent(authorize);
  const res = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: back.searchParams.get('code'),
      redirect_uri: redirectUri,
      client_id: client.client_id,
      code_verifier: verifier,
      resource,
    }),
  });
  const tokens = await res.json();
  assert.equal(res.status, 200, `POST /oauth/token (resource=${resource}): ${JSON.stringify(tokens)}`);
  assert.ok(tokens.access_token);
  return tokens.access_token;
}

function wwwAuthenticateParams(header) {
  const params = {};
  for (const m of header.matchAll(/([a-z_]+)="([^"]*)"/g)) params[m[1]] = m[2];
  return params;
}

// --- a. an API key client -----------------------------------------------------------------------
test('API key: a project over REST, then every tool listed through nextCursor', TIMEOUT, async () => {
  const me = await restOk('GET', '/v1/me');
  assert.equal(me.data.credential.type, 'api_key');
  state.ownerKeyId = me.data.credential.id;
  const created = await restOk('POST', '/v1/admin/projects', { body: { name: 'mcp secrets' } });
  state.projectId = created.data.project.id;
  for (const t of (await restOk('GET', '/v1/tools')).data) state.restTools.set(toolName(t.id), t);

  const { client } = await connectWithKey(ownerKey);
  assert.equal(client.getServerVersion()?.name?.length > 0, true, 'serverInfo.name');
  assert.ok(client.getServerCapabilities()?.tools, 'the server declares the tools capability');
  const { tools, pages } = await listAllTools(client);
  assert.ok(pages > 1, `tools/list is paginated: ${tools.length} tools came in ${pages} page(s)`);
  for (const t of tools) state.ownerTools.set(t.name, t);

  // The owner's tools are exactly the operations /v1/tools lists for the owner.
  assert.deepEqual([...state.ownerTools.keys()].sort(), [...state.restTools.keys()].sort());
  for (const name of SECRET_TOOLS) assert.ok(state.ownerTools.has(name), `${name} exists`);
  assert.deepEqual(
    tools.map((t) => t.name).filter((n) => n.startsWith('amba_secrets_') && n !== 'amba_secrets_resync').sort(),
    SECRET_TOOLS,
  );
  for (const t of tools) {
    const declared = state.restTools.get(t.name);
    assert.match(t.name, /^amba_[a-z0-9_]+$/);
    assert.ok(typeof t.description === 'string' && t.description.length > 0, `${t.name}: description`);
    assert.equal(t.inputSchema?.type, 'object', `${t.name}: inputSchema is an object schema`);
    assert.deepEqual(
      Object.keys(t.inputSchema.properties ?? {}).sort(),
      Object.keys(declared.input_schema.properties ?? {}).sort(),
      `${t.name}: inputSchema has the declared inputs`,
    );
    assert.deepEqual([...(t.inputSchema.required ?? [])].sort(), [...(declared.input_schema.required ?? [])].sort());
    assert.ok(t.annotations, `${t.name}: annotations`);
    assert.equal(t.annotations.readOnlyHint, declared.hints.read_only, `${t.name}: readOnlyHint`);
    assert.equal(t.annotations.destructiveHint, declared.hints.destructive, `${t.name}: destructiveHint`);
    assert.equal(t.annotations.idempotentHint, declared.hints.idempotent, `${t.name}: idempotentHint`);
    if (t.outputSchema) assert.equal(t.outputSchema.type, 'object', `${t.name}: outputSchema is an object schema`);
  }
  const set = state.ownerTools.get('amba_secrets_set');
  for (const p of ['projectId', 'name', 'value', 'function']) assert.ok(p in set.inputSchema.properties, `secrets_set: ${p}`);
  for (const p of ['projectId', 'name', 'value']) assert.ok(set.inputSchema.required.includes(p), `secrets_set requires ${p}`);
  assert.equal(state.ownerTools.get('amba_secrets_list').annotations.readOnlyHint, true);
  assert.equal(state.ownerTools.get('amba_secrets_delete').annotations.destructiveHint, true);

  // A cursor the server never gave is an error (-32602), not a silent first page.
  await assert.rejects(client.listTools({ cursor: 'no-such-cursor' }), (e) => e instanceof McpError && e.code === -32602);
});

test('API key: set, list, get and delete a secret; the value never comes back', TIMEOUT, async () => {
  const { client } = await connectWithKey(ownerKey);
  const value = `sv-${randomBytes(18).toString('hex')}`;
  const projectId = state.projectId;
  const name = 'MCP_TEST_SECRET';
  const neverShown = (label, result) =>
    assert.ok(!JSON.stringify(result).includes(value), `${label}: the value appears in the result`);

  const set = await callTool(client, state.ownerKeyId, 'amba_secrets_set', { projectId, name, value });
  assertSuccess('amba_secrets_set', set);
  assert.equal(set.structuredContent.data.name, name);
  assert.equal(set.structuredContent.data.version, 1);
  assert.ok(textOf(set).includes(name), 'the text rendering shows the secret');
  neverShown('amba_secrets_set', set);

  const list = await callTool(client, state.ownerKeyId, 'amba_secrets_list', { projectId });
  assertSuccess('amba_secrets_list', list);
  assert.ok(Array.isArray(list.structuredContent.data));
  assert.deepEqual(
    list.structuredContent.data.map((s) => s.name),
    [name],
  );
  neverShown('amba_secrets_list', list);
  assert.ok(!textOf(list).includes(value), 'the value appears in the text');

  const get = await callTool(client, state.ownerKeyId, 'amba_secrets_get', { projectId, name });
  assertSuccess('amba_secrets_get', get);
  assert.equal(get.structuredContent.data.name, name);
  assert.equal(get.structuredContent.data.function, null);
  assert.equal(get.structuredContent.data.version, 1);
  assert.ok(!('value' in get.structuredContent.data), 'no value field');
  neverShown('amba_secrets_get', get);

  // An invalid input is a tool error the model can act on, not a protocol error.
  const bad = await callTool(client, state.ownerKeyId, 'amba_secrets_set', { projectId, name: 'lower_case', value });
  assertToolError('amba_secrets_set (bad name)', bad, 'INVALID_INPUT');
  neverShown('amba_secrets_set (bad name)', bad);

  const del = await callTool(client, state.ownerKeyId, 'amba_secrets_delete', { projectId, name });
  assertSuccess('amba_secrets_delete', del);
  neverShown('amba_secrets_delete', del);

  const gone = await callTool(client, state.ownerKeyId, 'amba_secrets_get', { projectId, name });
  assertToolError('amba_secrets_get (deleted)', gone, 'NOT_FOUND');

  // An unknown tool is the one protocol error (-32602 in the MCP spec).
  await assert.rejects(
    client.callTool({ name: 'amba_no_such_tool', arguments: {} }),
    (e) => e instanceof McpError && e.code === -32602,
  );
  // The secret is gone for REST too, and nothing of it is in the runtime list.
  assert.equal((await restOk('GET', `/v1/admin/projects/${projectId}/secrets`)).data.length, 0);
});

test('API key without the scope: amba_secrets_set is not listed, and calling it is a tool error', TIMEOUT, async () => {
  assert.equal(state.restTools.get('amba_secrets_set').scope, 'secrets:write');
  assert.equal(state.restTools.get('amba_secrets_list').scope, 'secrets:read');
  const minted = await restOk('POST', '/v1/api_keys', { body: { name: 'mcp read only', scopes: ['secrets:read'] } });
  const narrow = { id: minted.data.id, key: minted.data.key };
  state.narrowKeyId = narrow.id;
  const { client } = await connectWithKey(narrow.key, 'ambit-mcp-test-narrow');
  const { tools } = await listAllTools(client);
  const names = tools.map((t) => t.name).sort();
  const expected = (await restOk('GET', '/v1/tools', { token: narrow.key })).data.map((t) => toolName(t.id)).sort();
  assert.deepEqual(names, expected, 'tools/list is what /v1/tools allows this key');
  assert.ok(names.includes('amba_secrets_list') && names.includes('amba_secrets_get'));
  assert.ok(!names.includes('amba_secrets_set'), 'amba_secrets_set is not listed without secrets:write');
  assert.ok(!names.includes('amba_secrets_delete'), 'amba_secrets_delete is not listed without secrets:write');

  const denied = await callTool(client, narrow.id, 'amba_secrets_set', {
    projectId: state.projectId,
    name: 'NOPE',
    value: 'x',
  });
  assertToolError('amba_secrets_set (narrow key)', denied, 'forbidden', 'secrets:write');
  const listed = await callTool(client, narrow.id, 'amba_secrets_list', { projectId: state.projectId });
  assertSuccess('amba_secrets_list (narrow key)', listed);
  assert.equal((await restOk('GET', `/v1/admin/projects/${state.projectId}/secrets`)).data.length, 0, 'nothing set');

  // A session belongs to the credential that opened it.
  const { sessionId, result } = await rawSession(ownerKey);
  const stolen = await rawPost(
    { jsonrpc: '2.0', id: 7, method: 'tools/list' },
    { token: narrow.key, sessionId, protocolVersion: result.protocolVersion },
  );
  assert.ok(stolen.status === 404 || stolen.status === 403, `another credential's session: HTTP ${stolen.status}`);
});

// --- b. progress ----------------------------------------------------------------------------------
/**
 * A call that waited shows where the work ended: in structuredContent, or in a
 * text content (structuredContent is the operation's own answer, given when the
 * work started; the server adds the final status read as text).
 */
function assertShowsFinal(result, pattern, message) {
  const shown = pattern.test(JSON.stringify(result.structuredContent)) || pattern.test(textOf(result));
  assert.ok(shown, `${message}: ${JSON.stringify(result)}`);
}

test('progress: amba_projects_create with a progress token streams progress until the project is active', TIMEOUT, async () => {
  const { client } = await connectWithKey(ownerKey);
  const progress = [];
  let answered = false;
  const result = await callTool(
    client,
    state.ownerKeyId,
    'amba_projects_create',
    { name: 'mcp progress' },
    {
      onprogress: (p) => progress.push({ ...p, afterResult: answered }),
      timeout: 50_000,
      resetTimeoutOnProgress: true,
    },
  );
  answered = true;
  assertSuccess('amba_projects_create', result);
  assert.ok(progress.length >= 1, 'at least one notifications/progress before the result');
  assert.ok(progress.every((p) => !p.afterResult));
  for (let i = 1; i < progress.length; i++)
    assert.ok(progress[i].progress > progress[i - 1].progress, `progress increases: ${JSON.stringify(progress)}`);
  const data = result.structuredContent.data;
  const projectId = data.project?.id ?? data.id;
  assert.match(projectId, /^prj_/);
  assertShowsFinal(result, /"(provisioning_status|status)":"active"/, 'the result shows the project active');
  const now = await restOk('GET', `/v1/admin/projects/${projectId}`);
  assert.equal(now.data.provisioning_status, 'active', 'the call answered once the project was active');
});

test('progress: amba_secrets_set with a progress token answers once the secret is synced', TIMEOUT, async () => {
  const { client } = await connectWithKey(ownerKey);
  // logging/setLevel: log messages below the level the client chose are not sent.
  const logged = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => logged.push(n.params));
  await client.setLoggingLevel('warning');
  const progress = [];
  const name = 'MCP_SYNCED';
  const result = await callTool(
    client,
    state.ownerKeyId,
    'amba_secrets_set',
    { projectId: state.projectId, name, value: 'synced-value' },
    { onprogress: (p) => progress.push(p), timeout: 50_000, resetTimeoutOnProgress: true },
  );
  assertSuccess('amba_secrets_set', result);
  assert.ok(progress.length >= 1, 'notifications/progress before the result');
  assertShowsFinal(result, /"sync_status":"synced"/, 'the result shows the secret synced');
  const now = await restOk('GET', `/v1/admin/projects/${state.projectId}/secrets/${name}`);
  assert.equal(now.data.sync_status, 'synced', 'the call answered once the secret was synced');
  const quiet = ['debug', 'info', 'notice'];
  assert.ok(!logged.some((m) => quiet.includes(m.level)), `messages below warning: ${JSON.stringify(logged)}`);
  await restOk('DELETE', `/v1/admin/projects/${state.projectId}/secrets/${name}`);
});

// --- c. OAuth -------------------------------------------------------------------------------------
async function checkOAuthJourney(log, provider) {
  const first = log[0];
  assert.equal(first.path, '/mcp');
  assert.equal(first.status, 401, 'the first request, without a token, is refused');
  assert.equal(first.authorization, '');
  const pointer = wwwAuthenticateParams(first.wwwAuthenticate).resource_metadata;
  assert.ok(pointer, `401 names the resource metadata: ${first.wwwAuthenticate}`);
  const prm = log.find((r) => r.method === 'GET' && r.path === new URL(pointer).pathname);
  assert.ok(prm && prm.status === 200, `the SDK read the RFC 9728 document at ${pointer}`);
  assert.equal(provider.discovery?.resourceMetadata?.resource, mcpUrl, 'discovered through the resource metadata');
  assert.ok(
    log.some((r) => r.path === '/.well-known/oauth-authorization-server' && r.status === 200),
    'the SDK read the authorization server metadata',
  );
  const register = log.find((r) => r.path === '/oauth/register');
  assert.ok(register && register.status === 201, 'the SDK registered dynamically');
  assert.match(provider.clientInformation().client_id, /^mcp_/);
  const authorizationUrl = provider.authorizationUrls[0];
  assert.equal(authorizationUrl.searchParams.get('resource'), mcpUrl, 'authorize carries resource (RFC 8707)');
  assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(authorizationUrl.searchParams.get('code_challenge'));
  const token = log.find((r) => r.path === '/oauth/token');
  assert.ok(token && token.status === 200, 'the code was exchanged');
  assert.equal(token.body.get('grant_type'), 'authorization_code');
  assert.equal(token.body.get('resource'), mcpUrl, 'the token request carries resource (RFC 8707)');
  assert.ok(token.body.get('code_verifier'), 'PKCE verifier');
  // (GET /mcp, the SDK's optional standalone stream, answers 405.)
  const authorized = log.filter(
    (r) => r.method === 'POST' && r.path === '/mcp' && r.authorization.startsWith('Bearer amb_oat_'),
  );
  assert.ok(authorized.length > 0 && authorized.every((r) => r.status < 400), 'then /mcp accepts the token');
}

test('OAuth: an SDK client without a credential discovers, registers, authorizes and calls a tool; revoking its grant ends its access', TIMEOUT, async () => {
  const { client, provider, log } = await connectWithOAuth('ambit mcp test (open registration)');
  await checkOAuthJourney(log, provider);
  assert.equal(log.find((r) => r.path === '/oauth/register').authorization, '', 'registered without a credential');
  const accessToken = provider.tokens().access_token;
  const me = await restOk('GET', '/v1/me', { token: accessToken });
  assert.equal(me.data.credential.type, 'oauth');
  const grantId = me.data.credential.id;
  state.oauthGrantIds = [grantId];

  const { tools } = await listAllTools(client);
  for (const name of SECRET_TOOLS) assert.ok(tools.some((t) => t.name === name), `${name} listed for the OAuth client`);
  const listed = await callTool(client, grantId, 'amba_secrets_list', { projectId: state.projectId });
  assertSuccess('amba_secrets_list (OAuth)', listed);

  // The client registered itself, bound to no tenant: the tenant ends its access by revoking the grant
  // (DELETE /v1/oauth_clients answers 404 for such a client: docs/api/oauth.md).
  const grants = await restAll('/v1/oauth_grants');
  assert.ok(grants.some((g) => g.id === grantId && g.client_id === provider.clientInformation().client_id));
  await restOk('DELETE', `/v1/oauth_grants/${grantId}`);
  const raw = await rawPost(initializeMessage(), { token: accessToken });
  assert.equal(raw.status, 401, `the revoked token at /mcp: HTTP ${raw.status} ${raw.text}`);
  state.revokedTokens.push(accessToken);
  provider.interactive = false;
  await assert.rejects(
    callTool(client, grantId, 'amba_secrets_list', { projectId: state.projectId }),
    UnauthorizedError,
    'the SDK client cannot call a tool any more',
  );
  assert.ok(provider.authorizationUrls.length >= 2, 'it is sent to authorize again');
});

test('OAuth: a client registered for the tenant works the same; DELETE /v1/oauth_clients/:id ends its access', TIMEOUT, async () => {
  // Registered with the owner's key (RFC 7591's initial access token): the client is the tenant's.
  const { client, provider, log } = await connectWithOAuth('ambit mcp test (tenant client)', { registerWith: ownerKey });
  await checkOAuthJourney(log, provider);
  const clientId = provider.clientInformation().client_id;
  assert.ok((await restAll('/v1/oauth_clients')).some((c) => c.client_id === clientId), 'the tenant lists the client');
  const accessToken = provider.tokens().access_token;
  const grantId = (await restOk('GET', '/v1/me', { token: accessToken })).data.credential.id;
  state.oauthGrantIds.push(grantId);
  const got = await callTool(client, grantId, 'amba_projects_get', { projectId: state.projectId });
  assertSuccess('amba_projects_get (OAuth)', got);
  assert.equal(got.structuredContent.data.id, state.projectId);

  const revoked = await restOk('DELETE', `/v1/oauth_clients/${clientId}`);
  assert.equal(revoked.data.revoked, true);
  const raw = await rawPost(initializeMessage(), { token: accessToken });
  assert.equal(raw.status, 401, `the revoked client's token at /mcp: HTTP ${raw.status} ${raw.text}`);
  state.revokedTokens.push(accessToken);
  provider.interactive = false;
  await assert.rejects(
    callTool(client, grantId, 'amba_projects_get', { projectId: state.projectId }),
    UnauthorizedError,
    'the SDK client cannot call a tool any more',
  );
});

// --- d. audience ----------------------------------------------------------------------------------
test('OAuth audience (RFC 8707): a token for another resource is refused at /mcp; a narrow token gets a step-up 403', TIMEOUT, async () => {
  const apiToken = await tokenFor(base, 'projects:read secrets:read');
  const refused = await rawPost(initializeMessage(), { token: apiToken });
  assert.equal(refused.status, 401, `a token for ${base} at /mcp: HTTP ${refused.status} ${refused.text}`);
  assert.ok(refused.headers.get('www-authenticate')?.startsWith('Bearer'), 'with a Bearer challenge');
  assert.equal((await rest('GET', '/v1/me', { token: apiToken })).status, 200, 'the token itself is valid (REST)');

  // The same scopes for resource=/mcp: accepted; a tool outside them asks for a step-up.
  const mcpToken = await tokenFor(mcpUrl, 'projects:read secrets:read');
  const { sessionId, result } = await rawSession(mcpToken);
  const call = (id, name, args) =>
    rawPost(
      { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } },
      { token: mcpToken, sessionId, protocolVersion: result.protocolVersion },
    );
  const list = await call(2, 'amba_secrets_list', { projectId: state.projectId });
  assert.equal(list.status, 200, list.text);
  const listed = list.messages.find((m) => m.id === 2)?.result;
  assert.ok(listed && !listed.isError, `amba_secrets_list with the /mcp token: ${list.text}`);
  const grantId = (await restOk('GET', '/v1/me', { token: mcpToken })).data.credential.id;
  const perTool = calls.get(grantId) ?? new Map();
  perTool.set('amba_secrets_list', 1);
  calls.set(grantId, perTool);
  state.oauthGrantIds.push(grantId);

  const stepUp = await call(3, 'amba_secrets_set', { projectId: state.projectId, name: 'STEP_UP', value: 'x' });
  perTool.set('amba_secrets_set', 1); // a refused call is audited too, as the API key's is
  assert.equal(stepUp.status, 403, `a tool outside the token's scope: HTTP ${stepUp.status} ${stepUp.text}`);
  const challenge = stepUp.headers.get('www-authenticate') ?? '';
  const params = wwwAuthenticateParams(challenge);
  assert.ok(challenge.startsWith('Bearer '), challenge);
  assert.equal(params.error, 'insufficient_scope', challenge);
  assert.ok(params.scope?.split(' ').includes('secrets:write'), `the challenge names secrets:write: ${challenge}`);
});

// --- e. what the SDK hides --------------------------------------------------------------------------
test('HTTP: 401 with the RFC 9728 pointer; the protected resource and authorization server metadata', TIMEOUT, async () => {
  const none = await rawPost(initializeMessage());
  assert.equal(none.status, 401, none.text);
  const challenge = none.headers.get('www-authenticate') ?? '';
  assert.match(challenge, /^Bearer /, challenge);
  assert.equal(wwwAuthenticateParams(challenge).resource_metadata, prmUrl, challenge);

  for (const url of [prmUrl, `${base}/.well-known/oauth-protected-resource`]) {
    const res = await fetch(url);
    const doc = await res.json();
    assert.equal(res.status, 200, `GET ${url}`);
    assert.equal(doc.resource, mcpUrl, `${url}: resource`);
    assert.ok(Array.isArray(doc.authorization_servers), `${url}: authorization_servers`);
    assert.ok(
      doc.authorization_servers.some((s) => s.replace(/\/$/, '') === base),
      `${url}: names our authorization server ${base}`,
    );
    assert.ok(doc.scopes_supported?.includes('secrets:write'), `${url}: scopes_supported`);
    if (doc.bearer_methods_supported) assert.ok(doc.bearer_methods_supported.includes('header'));
  }
  const as = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json();
  assert.equal(as.issuer, base);
  assert.equal(as.registration_endpoint, `${base}/oauth/register`);
  assert.equal(as.authorization_endpoint, `${base}/oauth/authorize`);
  assert.equal(as.token_endpoint, `${base}/oauth/token`);
  assert.ok(as.code_challenge_methods_supported.includes('S256'));
});

test('HTTP: a 401 for a token that is not valid (unknown, revoked, expired) points to the resource metadata too', TIMEOUT, async () => {
  // MCP authorization: every 401 carries WWW-Authenticate with resource_metadata (RFC 9728 §5.1), so a
  // client whose token died can discover the authorization server again.
  const tokens = { unknown: 'amb_oat_not-a-token', 'unknown key': `ak_live_${'x'.repeat(43)}` };
  state.revokedTokens.forEach((t, i) => (tokens[`revoked ${i + 1}`] = t));
  const missing = [];
  for (const [label, token] of Object.entries(tokens)) {
    const bad = await rawPost(initializeMessage(), { token });
    assert.equal(bad.status, 401, `${label}: ${bad.text}`);
    const header = bad.headers.get('www-authenticate') ?? '';
    if (wwwAuthenticateParams(header).resource_metadata !== prmUrl) missing.push(`${label} token: WWW-Authenticate: ${header}`);
  }
  assert.deepEqual(missing, [], 'every 401 names the resource metadata');
});

test('HTTP: Origin, GET, versions, sessions and DELETE /mcp', TIMEOUT, async () => {
  // DNS rebinding: a page of another origin is refused, also with a valid credential; ours is accepted.
  const foreign = await rawPost(initializeMessage(), { token: ownerKey, origin: 'http://evil.example.com' });
  assert.equal(foreign.status, 403, `a foreign Origin: HTTP ${foreign.status} ${foreign.text}`);
  const own = await rawPost(initializeMessage(), { token: ownerKey, origin: new URL(base).origin });
  assert.equal(own.status, 200, `our own Origin: HTTP ${own.status} ${own.text}`);

  const get = await fetch(mcpUrl, { headers: { authorization: `Bearer ${ownerKey}`, accept: 'text/event-stream' } });
  await get.text();
  assert.equal(get.status, 405, 'GET /mcp: no server-initiated stream');

  // Version negotiation: each supported version is kept; another gets one we support.
  for (const v of ['2025-06-18', '2025-11-25']) {
    const r = await rawPost(initializeMessage(v), { token: ownerKey });
    assert.equal(r.messages[0]?.result?.protocolVersion, v, r.text);
  }
  const other = await rawPost(initializeMessage('2024-11-05'), { token: ownerKey });
  assert.ok(['2025-06-18', '2025-11-25'].includes(other.messages[0]?.result?.protocolVersion), other.text);

  const { sessionId, result } = await rawSession(ownerKey, '2025-06-18');
  const version = result.protocolVersion;
  assert.ok(result.capabilities?.tools && result.capabilities?.logging, 'tools and logging capabilities');
  const ping = await rawPost({ jsonrpc: '2.0', id: 2, method: 'ping' }, { token: ownerKey, sessionId, protocolVersion: version });
  assert.equal(ping.status, 200, ping.text);
  assert.deepEqual(ping.messages[0].result, {});
  const level = await rawPost(
    { jsonrpc: '2.0', id: 3, method: 'logging/setLevel', params: { level: 'warning' } },
    { token: ownerKey, sessionId, protocolVersion: version },
  );
  assert.deepEqual(level.messages[0]?.result, {}, level.text);
  const cancelled = await rawPost(
    { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 99, reason: 'the user changed their mind' } },
    { token: ownerKey, sessionId, protocolVersion: version },
  );
  assert.equal(cancelled.status, 202, `notifications/cancelled: HTTP ${cancelled.status} ${cancelled.text}`);
  const unknown = await rawPost({ jsonrpc: '2.0', id: 4, method: 'no/such' }, { token: ownerKey, sessionId, protocolVersion: version });
  assert.equal(unknown.messages[0]?.error?.code, -32601, `an unknown method: ${unknown.text}`);
  const badVersion = await rawPost({ jsonrpc: '2.0', id: 5, method: 'ping' }, { token: ownerKey, sessionId, protocolVersion: '1999-01-01' });
  assert.equal(badVersion.status, 400, `an unsupported MCP-Protocol-Version: HTTP ${badVersion.status} ${badVersion.text}`);

  // A message over the size limit is refused before it is read: 413, or the
  // connection closed under a client still writing (EPIPE, ECONNRESET).
  let huge;
  try {
    huge = await rawPost(
      { jsonrpc: '2.0', id: 8, method: 'ping', params: { pad: 'x'.repeat(1_100_000) } },
      { token: ownerKey, sessionId, protocolVersion: version },
    );
  } catch (e) {
    const code = e?.cause?.code;
    assert.ok(code === 'EPIPE' || code === 'ECONNRESET', `a message over 1 MiB: ${e}`);
  }
  if (huge) assert.equal(huge.status, 413, `a message over 1 MiB: HTTP ${huge.status}`);

  const end = await fetch(mcpUrl, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${ownerKey}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': version },
  });
  await end.text();
  assert.ok(end.status >= 200 && end.status < 300, `DELETE /mcp: HTTP ${end.status}`);
  const after = await rawPost({ jsonrpc: '2.0', id: 6, method: 'ping' }, { token: ownerKey, sessionId, protocolVersion: version });
  assert.equal(after.status, 404, `a request in the ended session: HTTP ${after.status} ${after.text}`);
});

// --- audit ------------------------------------------------------------------------------------------
test('audit: exactly one row per tool call, with the tool name and the credential type', TIMEOUT, async () => {
  const types = new Map([[state.ownerKeyId, 'api_key'], [state.narrowKeyId, 'api_key']]);
  for (const id of state.oauthGrantIds ?? []) types.set(id, 'oauth');
  const rowsOf = async (id) => (await restAll(`/v1/audit?credential_id=${encodeURIComponent(id)}&limit=500`)).filter((r) => r.tool);
  const counted = (rows) => {
    const m = new Map();
    for (const r of rows) m.set(r.tool, (m.get(r.tool) ?? 0) + 1);
    return m;
  };
  // Rows reach the log in batches (about 200 ms): wait until every call is there.
  const deadline = Date.now() + 10_000;
  for (;;) {
    let complete = true;
    for (const [id, expected] of calls)
      for (const [tool, n] of expected) if ((counted(await rowsOf(id)).get(tool) ?? 0) < n) complete = false;
    if (complete || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(calls.size >= 3, 'calls were made with API keys and OAuth');
  for (const [id, expected] of calls) {
    const rows = await rowsOf(id);
    assert.deepEqual(
      Object.fromEntries([...counted(rows)].sort()),
      Object.fromEntries([...expected].sort()),
      `audit rows with a tool for ${id}`,
    );
    for (const r of rows) {
      assert.equal(r.credential_type, types.get(id), `${r.tool}: credential_type`);
      assert.equal(r.route, state.restTools.get(r.tool)?.path, `${r.tool}: the operation's route`);
    }
  }
  const denied = (await rowsOf(state.narrowKeyId)).find((r) => r.tool === 'amba_secrets_set');
  assert.equal(denied.status, 403, 'the refused call is audited with its status');
});
