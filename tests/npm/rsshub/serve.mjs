// Serve the unmodified RSSHub library build (npm `rsshub`) over HTTP on 127.0.0.1 for the tests.
// dist-lib/pkg.mjs's init() sets IS_PACKAGE, which turns every route's answer into JSON; this imports
// the same Hono app chunk pkg.mjs imports, without that flag, so routes answer RSS as a deployed RSSHub does.
// Usage: node serve.mjs PORT   (configuration through RSSHub's own environment variables).
// With FEEDSTATION_REQUEST_LOG=<file> every request is appended to it as one JSON line (what the tests assert on).
import { appendFileSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { serve } from "@hono/node-server";

const port = Number(process.argv[2] || process.env.PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error("usage: node serve.mjs PORT");
const lib = dirname(fileURLToPath(import.meta.resolve("rsshub")));  // .../rsshub/dist-lib/pkg.mjs
const chunk = readFileSync(join(lib, "pkg.mjs"), "utf8").match(/import\("\.\/(app-[\w-]+\.mjs)"\)/);
if (!chunk) throw new Error(`no app chunk import found in ${join(lib, "pkg.mjs")}`);
const app = (await import(pathToFileURL(join(lib, chunk[1])).href)).default;
const requestLog = process.env.FEEDSTATION_REQUEST_LOG;
const fetch = (request, env) => {
  if (requestLog) {
    const url = new URL(request.url);
    appendFileSync(requestLog, JSON.stringify({ path: url.pathname, query: url.search, headers: Object.fromEntries(request.headers) }) + "\n");
  }
  return app.fetch(request, env);
};
serve({ fetch, hostname: "127.0.0.1", port }, (info) => console.log(`rsshub listening on http://127.0.0.1:${info.port}`));
