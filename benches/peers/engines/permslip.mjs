// permslip: the snapshot token (issued by the native CLI in run.sh) carries the user's slice,
// signed. The model's shared catalogue (permissions, roles, features) travels either inline in
// each snapshot or, the CLI's default for models like this one, as its own signed bundle that is
// verified and compiled once (`Catalogue.load`) and named by every snapshot.

import { readFileSync, existsSync } from "node:fs";
import { ROOT } from "../lib/amplify.mjs";
import { WORK, PKG, PKG_INIT, PKG_NODE_CRYPTO } from "../lib/work.mjs";

// `permslip/init` of the package measured (see lib/work.mjs).
const { Permslip, KeySet, Catalogue, initSync } = await import(PKG_INIT);
// As the Node entry does: node:crypto checks signature equations.
await import(PKG_NODE_CRYPTO);

export const name = "permslip";
export const pkgName = "permslip";
export const version = JSON.parse(readFileSync(`${PKG}/package.json`, "utf8")).version;
/** Whether `build` verifies a signature on the payload. */
export const signsPayload = true;
export const wasmPath = `${PKG}/dist/permslip_bg.wasm`;

const AUDIENCE = "permslip-demo";
let keys = null;
let catalogue = null;

/**
 * The application's static configuration: the issuer's public keys and, when the issuer
 * bundles it, the signed catalogue (fetched once per model, cacheable).
 */
export function prepare(dir = `${WORK}/tokens`) {
  const bundle = `${dir}/catalogue.jwt`;
  return {
    jwks: readFileSync(ROOT + "tests/keys/test-jwks.json", "utf8"),
    catalogue: existsSync(bundle) ? readFileSync(bundle, "utf8").trim() : null,
  };
}

/** Module init (compile + instantiate the .wasm), parse the JWKS, verify the catalogue. */
export async function init(config, bytes = readFileSync(wasmPath), options = {}) {
  const module = await WebAssembly.compile(bytes);
  initSync({ module });
  keys = KeySet.parse(config.jwks);
  catalogue = config.catalogue === null ? null : Catalogue.load(config.catalogue, { jwks: keys, audience: AUDIENCE, ...options });
}

/** What a server sends for one user: the snapshot token. */
export function payload(user, dir = `${WORK}/tokens`) {
  return readFileSync(`${dir}/${user}.jwt`, "utf8").trim();
}

/** Verify the signature and compile the snapshot: the checker for one user. */
export function build(token, options = {}) {
  return Permslip.load(token, { jwks: keys, audience: AUDIENCE, catalogue, ...options });
}

export function can(checker, permission, scope) {
  return scope == null ? checker.can(permission) : checker.can(permission, scope);
}

export function menu(checker, tree) {
  return checker.filterMenu(tree);
}
