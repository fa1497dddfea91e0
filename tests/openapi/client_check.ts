// A REST client written only against the types that openapi-typescript
// generates from /openapi.json (generated/api.d.ts, made by check.sh), with
// openapi-fetch: the paths, parameters, bodies and responses below are
// checked by `tsc --strict`. If the document is incomplete (no schemas) or
// wrong, this file stops type-checking. check.sh then runs it against the
// server it started: create a project, set a remote-config key, read it back
// as the app would.
//
//   AMBIT_URL=http://127.0.0.1:8080 AMBIT_KEY=ak_live_... node generated/out/client_check.js
import createClient from "openapi-fetch";

import type { paths } from "./generated/api.js";

// The two Node.js globals used here (no @types/node needed).
declare const process: { env: Record<string, string | undefined>; exitCode?: number };

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`client check failed: ${what}`);
}

async function main(): Promise<void> {
  const baseUrl = need("AMBIT_URL");
  const admin = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${need("AMBIT_KEY")}` } });

  // projects.create
  const created = await admin.POST("/v1/admin/projects", {
    body: { name: "OpenAPI client check", bundle_id: "com.example.openapi", platform: "ios" },
  });
  if (!created.data) throw new Error(`projects.create: ${created.response.status} ${JSON.stringify(created.error)}`);
  const project = created.data.data.project;
  const projectId: string = project.id;
  check(project.name === "OpenAPI client check", "projects.create returns the name");
  const clientKey: string = created.data.data.api_keys.client.key;

  // config.set
  const set = await admin.POST("/v1/admin/projects/{projectId}/config", {
    params: { path: { projectId } },
    body: { key: "welcome_banner", value: "Hello from a typed client", value_type: "string",
            description: "set by tests/openapi/client_check.ts" },
  });
  if (!set.data) throw new Error(`config.set: ${set.response.status} ${JSON.stringify(set.error)}`);
  const entry = set.data.data;
  const version: number = entry.version;
  check(entry.key === "welcome_banner" && version === 1, "config.set returns the key at version 1");

  // client_config.get, as an app with the project's client key, once provisioning (a background job) is done
  const app = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${clientKey}` } });
  let got = await app.GET("/v1/client/config", {});
  for (let tries = 0; !got.data && got.response.status === 503 && tries < 100; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    got = await app.GET("/v1/client/config", {});
  }
  if (!got.data) throw new Error(`client_config.get: ${got.response.status} ${JSON.stringify(got.error)}`);
  const config = got.data.data.config;
  check(JSON.stringify(config["welcome_banner"]) === JSON.stringify("Hello from a typed client"),
        "the app reads the value back");

  console.log(`client check: project ${projectId}, key welcome_banner v${version}, read back by the app`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
