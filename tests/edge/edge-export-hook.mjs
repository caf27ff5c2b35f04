// Test-only: until pkg/package.json exports "./edge", resolve the specifier `permslip/edge` to
// pkg/src/edge.js so the example's Node adapter runs as a user's would. A no-op once the entry
// exists (then Node resolves it through the exports map, which is what should be tested).
//   node --import ./tests/edge/edge-export-hook.mjs examples/edge-worker/node.mjs
import { readFileSync } from "node:fs";
import { register } from "node:module";

const pkg = JSON.parse(readFileSync(new URL("../../pkg/package.json", import.meta.url), "utf8"));
export const EDGE_EXPORTED = Boolean(pkg.exports?.["./edge"]);

if (!EDGE_EXPORTED) {
  const target = new URL("../../pkg/src/edge.js", import.meta.url).href;
  const hooks = `export async function resolve(specifier, context, next) {
    if (specifier === "permslip/edge") return { url: ${JSON.stringify(target)}, shortCircuit: true };
    return next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}
