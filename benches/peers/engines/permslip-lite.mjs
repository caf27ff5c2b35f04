// permslip lite: the issuer compiles the user's slip with the engine and signs the decisions
// (`permslip issue --format lite`, run.sh: .work/tokens-lite/<user>.lite.jwt, docs/LITE.md). No
// catalogue travels: the client verifies the signature with the platform's Ed25519 (node:crypto
// here), lets the small module (dist/permslip_lite.wasm, no imports) validate the tables, and
// answers by lookup.

import { readFileSync } from "node:fs";
import { ROOT } from "../lib/amplify.mjs";
import { WORK, PKG, PKG_LITE } from "../lib/work.mjs";

// `permslip/lite` of the package measured (see lib/work.mjs).
const lite = await import(PKG_LITE);
const { Permslip, KeySet } = lite;

export const name = "permslip lite";
export const pkgName = "permslip";
export const version = JSON.parse(readFileSync(`${PKG}/package.json`, "utf8")).version;
/** Whether `build` verifies a signature on the payload. */
export const signsPayload = true;
export const wasmPath = `${PKG}/dist/permslip_lite.wasm`;
/** Where run.sh issues the lite tokens. */
export const TOKENS = `${WORK}/tokens-lite`;

const AUDIENCE = "permslip-demo";
let keys = null;

/** The application's static configuration: the issuer's public keys (nothing else travels). */
export function prepare() {
  return { jwks: readFileSync(ROOT + "tests/keys/test-jwks.json", "utf8") };
}

/**
 * Module init, as engines/permslip.mjs does it: compile the .wasm bytes and hand the module to
 * `init` (what workerd and bundlers that import a .wasm do); then parse the JWKS, which
 * instantiates the module (one instance, shared by the checkers) to check the keys' encoding.
 * The compile is timed in cold.mjs. (`init(bytes)` would compile the same way, but on Node it
 * first evaluates `globalThis.Request`, which loads undici: ~20 ms of a fresh process that no
 * browser pays.) `options` (scale's maxTokenBytes) only matter to `build`.
 */
export async function init(config, bytes = readFileSync(wasmPath), _options = {}) {
  await lite.init(await WebAssembly.compile(bytes));
  keys = KeySet.parse(config.jwks);
}

/** What a server sends for one user: the lite token. */
export function payload(user, dir = TOKENS) {
  return readFileSync(`${dir}/${user}.lite.jwt`, "utf8").trim();
}

/** Verify the signature (node:crypto) and let the module validate the tables. */
export function build(token, options = {}) {
  return Permslip.load(token, { jwks: keys, audience: AUDIENCE, ...options });
}

export function can(checker, permission, scope) {
  return scope == null ? checker.can(permission) : checker.can(permission, scope);
}

export function menu(checker, tree) {
  return checker.filterMenu(tree);
}
