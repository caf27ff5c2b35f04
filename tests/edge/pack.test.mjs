// `permslip/edge` from the packed tarball, installed into a fresh project as a user would:
// the exports entry resolves, the types ship, and a plain Node ES module gates a request.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { packAndInstall, resolveExport } from "../js/pack.mjs";
import { AUDIENCE, golden, JWKS_JSON, CATALOGUE, EXAMPLE_ROUTES } from "./helpers.mjs";

const packed = packAndInstall();
after(() => packed.cleanup?.());

test("the installed package exports permslip/edge with its types", { skip: packed.skip }, () => {
  assert.ok(packed.files.includes("src/edge.js"), "src/edge.js is packed");
  assert.ok(packed.files.includes("edge.d.ts"), "edge.d.ts is packed (add it to `files`)");
  assert.equal(resolveExport(packed.pkgDir, "./edge", ["node", "import"]), "./src/edge.js");
  assert.equal(resolveExport(packed.pkgDir, "./edge", ["workerd", "worker", "import"]), "./src/edge.js");
  assert.equal(resolveExport(packed.pkgDir, "./edge", ["types"]), "./edge.d.ts");
});

test("a Node ES module gates a request with the installed package", { skip: packed.skip }, () => {
  writeFileSync(
    join(packed.consumer, "edge.mjs"),
    `import "permslip";
import { createGate } from "permslip/edge";
const [jwks, catalogue, routes, token] = process.argv.slice(2);
const gate = createGate({ routes, jwks, audience: "${AUDIENCE}", catalogue });
const ask = (path) => gate.authorize(new Request("https://app.test" + path, { method: "POST", headers: { authorization: "Bearer " + token } }));
console.log(JSON.stringify([ask("/api/fax/numbers/+15550100/send").status, ask("/api/fax/numbers/+15550101/send").status, ask("/api/fax/numbers/+15550100/send").cached]));
`,
  );
  const out = execFileSync(process.execPath, ["edge.mjs", JWKS_JSON, CATALOGUE, JSON.stringify(EXAMPLE_ROUTES), golden("amplify", "member")], {
    cwd: packed.consumer,
    encoding: "utf8",
  });
  assert.deepEqual(JSON.parse(out), [200, 403, true]);
});
