// The official MCP conformance suite's server scenarios against ambit's /mcp.
//
//   AMBIT_URL=http://127.0.0.1:PORT AMBIT_KEY=ak_live_... AMBIT_NODE22=.../bin/node \
//   AMBIT_CONFORMANCE_OUT=DIR node conformance.mjs SCENARIO...
//
// The suite connects without credentials and has no option to send a header,
// and /mcp answers 401 without one. So the suite talks to a forwarding proxy
// started here on 127.0.0.1, which adds `Authorization: Bearer <AMBIT_KEY>`
// and passes everything else through unchanged, with one exception: the
// proxy's own authority (127.0.0.1:<proxy port>) in Host and Origin is
// rewritten to the server's, as a load balancer in front of public_url would.
// Any other Host or Origin (the DNS rebinding scenario's evil.example.com)
// reaches the server as the suite sent it, so that scenario tests the
// server's own Origin check, with a valid credential. Each proxied request is
// logged to DIR/proxy.log.
//
// The suite runs on Node 22 (it needs it; the machine's Node may be older),
// one process per scenario, each bounded in time. Exit 0 when every scenario
// passes. Prints "N passed, N failed".
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const server = new URL(process.env.AMBIT_URL);
const key = process.env.AMBIT_KEY;
const node22 = process.env.AMBIT_NODE22;
const out = process.env.AMBIT_CONFORMANCE_OUT;
const scenarios = process.argv.slice(2);
const cli = path.join(here, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const scenarioTimeoutMs = 30_000;
if (!server || !key || !node22 || !out || scenarios.length === 0) {
  console.error('usage: AMBIT_URL=... AMBIT_KEY=... AMBIT_NODE22=... AMBIT_CONFORMANCE_OUT=... node conformance.mjs SCENARIO...');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const log = path.join(out, 'proxy.log');

// --- the proxy ----------------------------------------------------------------------------------
let proxyAuthority = '';
const proxy = http.createServer((req, res) => {
  const headers = { ...req.headers };
  if (headers.host === proxyAuthority) headers.host = server.host;
  if (headers.origin === `http://${proxyAuthority}`) headers.origin = server.origin;
  headers.authorization = `Bearer ${key}`;
  delete headers['x-api-key'];
  const upstream = http.request(
    { host: server.hostname, port: server.port, method: req.method, path: req.url, headers },
    (answer) => {
      appendFileSync(
        log,
        `${req.method} ${req.url} host=${req.headers.host} origin=${req.headers.origin ?? '-'} -> ${answer.statusCode} ` +
          `${answer.headers['content-type'] ?? ''}\n`,
      );
      res.writeHead(answer.statusCode, answer.rawHeaders);
      answer.pipe(res);
    },
  );
  upstream.on('error', (e) => {
    appendFileSync(log, `${req.method} ${req.url}: upstream error ${e.message}\n`);
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`proxy: ${e.message}`);
  });
  req.pipe(upstream);
  // A client that goes away (an SSE stream it closed) closes the upstream request too.
  res.on('close', () => upstream.destroy());
});
await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
proxyAuthority = `127.0.0.1:${proxy.address().port}`;
const proxyUrl = `http://${proxyAuthority}/mcp`;
console.log(`conformance: proxy ${proxyUrl} -> ${server.origin}/mcp (adds the API key)`);

// --- the scenarios ------------------------------------------------------------------------------
function run(scenario) {
  return new Promise((resolve) => {
    const child = spawn(
      node22,
      [cli, 'server', '--url', proxyUrl, '--scenario', scenario, '--output-dir', path.join(out, scenario)],
      { cwd: out, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
    );
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    const timer = setTimeout(() => {
      text += `\n(killed after ${scenarioTimeoutMs} ms)\n`;
      child.kill('SIGKILL');
    }, scenarioTimeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ scenario, ok: code === 0, code: code ?? signal, text });
    });
  });
}

let passed = 0;
let failed = 0;
for (const scenario of scenarios) {
  const r = await run(scenario);
  console.log(`--- ${scenario}: ${r.ok ? 'passed' : `FAILED (exit ${r.code})`}`);
  // eslint-disable-next-line no-control-regex
  console.log(r.text.replace(/\x1b\[[0-9;]*m/g, '').trimEnd().replace(/^/gm, '    '));
  if (r.ok) passed++;
  else failed++;
}
proxy.close();
proxy.closeAllConnections?.();
console.log(`conformance: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
