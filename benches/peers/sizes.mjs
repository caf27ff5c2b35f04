// What a browser downloads for each engine: a tiny entry that imports the API the benchmark
// uses, bundled and minified by esbuild for the browser, plus every .wasm the library fetches.
// Raw, gzip (level 9) and brotli (quality 11) bytes; JS and .wasm are compressed separately
// (they are separate requests) and added up.
//
//   node sizes.mjs -> .work/results/sizes.json

import { readFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { build } from "esbuild";
import { WASM, ENGINES, writeResult, write } from "./lib/engines.mjs";
import { WORK, PKG_INIT, PKG_LITE, modulePath } from "./lib/work.mjs";

// The entry each browser app would have: the library's API as the benchmark uses it.
const ENTRIES = {
  // The package's `browser` entry (its exports map) is src/init.js.
  permslip: `export { Permslip, KeySet, Catalogue, init } from "${PKG_INIT}";`,
  // `permslip/lite` (src/lite.js) and its own module, dist/permslip_lite.wasm.
  "permslip-lite": `export { Permslip, KeySet, init } from "${PKG_LITE}";`,
  casl: `export { createMongoAbility, createAliasResolver, subject } from "@casl/ability";`,
  casbin: `export { newEnforcer, newModelFromString, StringAdapter } from "casbin";`,
  cedar: `export { default as init, preparseSchema, preparsePolicySet, statefulIsAuthorized } from "@cedar-policy/cedar-wasm/web";`,
  // The bundler build imports its .wasm (counted below) and a snippet the .wasm imports.
  biscuit: `export { AuthorizerBuilder, Biscuit, Fact, PublicKey } from "@biscuit-auth/biscuit-wasm";
export * from "${modulePath("@biscuit-auth/biscuit-wasm/module/snippets/biscuit-auth-314ca57174ae0e6d/inline0.js")}";`,
};

// Bundlers load a .wasm import as a separate file: leave it out of the JS, count it on its own.
const wasmExternal = {
  name: "wasm-external",
  setup(b) {
    b.onResolve({ filter: /\.wasm$/ }, (args) => ({ path: args.path, external: true }));
  },
};

const gzip = (b) => gzipSync(b, { level: 9 }).length;
const brotli = (b) =>
  brotliCompressSync(b, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length },
  }).length;

const out = {};
for (const id of ENGINES) {
  const result = await build({
    stdin: { contents: ENTRIES[id], resolveDir: process.cwd(), loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    plugins: [wasmExternal],
    // casbin's file adapter imports `fs` lazily; a browser app never reaches it.
    external: ["fs", "path", "node:*"],
    logLevel: "error",
  });
  const js = Buffer.from(result.outputFiles[0].contents);
  write(`${WORK}/bundles/${id}.min.js`, js);
  const wasm = WASM[id] === null ? null : readFileSync(WASM[id]);
  out[id] = {
    js: { raw: js.length, gzip: gzip(js), brotli: brotli(js) },
    wasm: wasm && { raw: wasm.length, gzip: gzip(wasm), brotli: brotli(wasm) },
  };
  const t = (k) => out[id].js[k] + (out[id].wasm?.[k] ?? 0);
  out[id].total = { raw: t("raw"), gzip: t("gzip"), brotli: t("brotli") };
  console.error(`sizes: ${id}: raw ${t("raw")}, gzip ${t("gzip")}, brotli ${t("brotli")} bytes`);
}
writeResult("sizes", out);
