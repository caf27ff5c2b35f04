// (d) Packaging: `npm pack` of pkg/, installed from the tarball into a fresh project, imported
// from plain Node ES modules (no bundler), through every export.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { packAndInstall, resolveExport } from "./pack.mjs";
import { AUDIENCE, JWKS_JSON, NOW_MS, sampleClaims, signWithJose } from "./helpers.mjs";

const packed = packAndInstall();
after(() => packed.cleanup?.());

test("the tarball holds the package files and nothing else", { skip: packed.skip }, () => {
  for (const required of [
    "README.md",
    "dist/permslip.js",
    "dist/permslip_bg.wasm",
    "index.d.ts",
    "package.json",
    "src/core.js",
    "src/init.js",
    "src/node.js",
    "src/workerd.js",
  ]) {
    assert.ok(packed.files.includes(required), `${required} is missing from the tarball`);
  }
  const allowed = /^(README\.md|package\.json|[\w-]+\.d\.ts|src\/[\w-]+\.js|dist\/permslip(_bg\.wasm|_lite\.wasm|\.js))$/;
  assert.deepEqual(packed.files.filter((f) => !allowed.test(f)), [], "unexpected files in the tarball");
  const pkgDir = packed.pkgDir;
  assert.equal(resolveExport(pkgDir, ".", ["node", "import"]), "./src/node.js");
  assert.equal(resolveExport(pkgDir, ".", ["workerd", "worker", "browser", "import"]), "./src/workerd.js");
  assert.equal(resolveExport(pkgDir, ".", ["browser", "import"]), "./src/init.js");
  assert.equal(resolveExport(pkgDir, ".", ["import"]), "./src/init.js");
  assert.equal(resolveExport(pkgDir, ".", ["types"]), "./index.d.ts");
  assert.equal(resolveExport(pkgDir, "./wasm", []), "./dist/permslip_bg.wasm");
  assert.equal(resolveExport(pkgDir, "./lite", ["browser", "import"]), "./src/lite.js");
  assert.equal(resolveExport(pkgDir, "./lite", ["types"]), "./lite.d.ts");
  assert.equal(resolveExport(pkgDir, "./lite/wasm", []), "./dist/permslip_lite.wasm");
  assert.ok(packed.files.includes("dist/permslip_lite.wasm") && packed.files.includes("src/lite.js") && packed.files.includes("lite.d.ts"));
});

test("a Node ES module imports the installed package and checks a decision", { skip: packed.skip }, async () => {
  const token = await signWithJose(sampleClaims());
  writeFileSync(
    join(packed.consumer, "main.mjs"),
    `import { Permslip } from "permslip";
const [token, jwks, now] = process.argv.slice(2);
const p = Permslip.load(token, { jwks, audience: "${AUDIENCE}", now: Number(now) });
console.log(JSON.stringify([p.subject, p.can("reports.view"), p.can("users.edit"), p.explain({ permission: "users.edit" }).reason]));
`,
  );
  const out = execFileSync(process.execPath, ["main.mjs", token, JWKS_JSON, String(NOW_MS)], {
    cwd: packed.consumer,
    encoding: "utf8",
  });
  assert.deepEqual(JSON.parse(out), ["ada", true, false, "not_granted"]);
});

test("the explicit init entry loads from the exported .wasm", { skip: packed.skip }, async () => {
  const token = await signWithJose(sampleClaims());
  writeFileSync(
    join(packed.consumer, "custom.mjs"),
    `import { readFile } from "node:fs/promises";
import { init, initSync, isInitialized, Permslip, PermslipError } from "permslip/init";
const [token, jwks, now, mode] = process.argv.slice(2);
let before;
try { Permslip.load(token, { jwks, audience: "${AUDIENCE}" }); } catch (e) { before = e instanceof PermslipError && e.code; }
const bytes = await readFile(new URL(import.meta.resolve("permslip/wasm")));
if (mode === "module") initSync({ module: new WebAssembly.Module(bytes) });
else if (mode === "bytes") initSync(bytes);
else await init(bytes);
const p = Permslip.load(token, { jwks, audience: "${AUDIENCE}", now: Number(now) });
console.log(JSON.stringify([before, isInitialized(), p.can("fax.send")]));
`,
  );
  for (const mode of ["module", "bytes", "async"]) {
    const out = execFileSync(process.execPath, ["custom.mjs", token, JWKS_JSON, String(NOW_MS), mode], {
      cwd: packed.consumer,
      encoding: "utf8",
    });
    assert.deepEqual(JSON.parse(out), ["not_initialized", true, true], mode);
  }
});
