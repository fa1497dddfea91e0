// The completeness guard of /openapi.json (check.sh): every operation has
//   - an operationId that contains a dot (<resource>.<action>, DESIGN.md),
//   - a request body schema wherever a request body is documented (a POST
//     may take none: an action such as /archive),
//   - a success (2xx) response with a schema (204 and 205 carry no body).
// Prints one line per gap and a summary; exits 1 when there is a gap.
//
//   node guard.mjs openapi.json
import { readFileSync } from "node:fs";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const WITH_BODY = new Set(["post", "put", "patch"]);
const NO_CONTENT = new Set(["204", "205"]);

const file = process.argv[2];
if (!file) {
  console.error("usage: node guard.mjs openapi.json");
  process.exit(2);
}
const doc = JSON.parse(readFileSync(file, "utf8"));

const hasSchema = (content) =>
  content !== null && typeof content === "object" &&
  Object.values(content).some((media) => media && typeof media === "object" && media.schema !== undefined);

const gaps = [];
let operations = 0;
for (const [path, item] of Object.entries(doc.paths ?? {})) {
  for (const method of METHODS) {
    const op = item?.[method];
    if (!op) continue;
    operations++;
    const where = `${method.toUpperCase()} ${path}`;
    const id = op.operationId;
    if (typeof id !== "string" || !id.includes(".")) gaps.push(`${where}: operationId ${JSON.stringify(id ?? null)} is not <resource>.<action>`);
    if (op.requestBody && !hasSchema(op.requestBody.content)) gaps.push(`${where}: no request body schema`);
    if (!WITH_BODY.has(method) && op.requestBody) gaps.push(`${where}: a body on ${method.toUpperCase()}`);
    const success = Object.entries(op.responses ?? {}).filter(([status]) => /^2(\d\d|XX)$/.test(status));
    if (success.length === 0) {
      gaps.push(`${where}: no success (2xx) response`);
    } else {
      const bare = success.filter(([status, r]) => !NO_CONTENT.has(status) && !hasSchema(r?.content)).map(([s]) => s);
      if (bare.length > 0) gaps.push(`${where}: no schema for success response ${bare.join(", ")}`);
    }
  }
}

for (const gap of gaps) console.log(gap);
const incomplete = new Set(gaps.map((g) => g.slice(0, g.indexOf(": ")))).size;
console.log(`guard: ${operations} operations, ${incomplete} incomplete, ${gaps.length} gaps`);
process.exit(gaps.length > 0 ? 1 : 0);
