// Biscuit (@biscuit-auth/biscuit-wasm), in its capability style: the issuer writes the user's
// rights into the token's authority block (`right(permission, scope)`, `"*"` = unscoped), with
// roles (direct and through teams), wildcards and implication already resolved, plus the facts
// the decision still needs: `revoked(...)`, `product_off(...)`. The application's authorizer
// holds the catalogue's products and decides with ordered policies: revocation and product-off
// `deny if` first, then `allow if`. Each check is one authorization: the parsed authorizer code,
// the token, and the request facts `operation(...)`, `scope(...)`. Explicit-only permissions are
// in no wildcard, so only a grant naming them gives the right.
//
// Why resolved in the token and not derived in Datalog: with the role table as facts and rules
// for roles-through-teams, wildcards and implication, one authorization took ~1.7 ms here, and
// with the role table expanded but roles still joined in Datalog ~0.3 ms with spikes over 1 ms.
// biscuit-wasm 0.6 evaluates under the library's default 1 ms limit (`authorizeWithLimits`
// with larger limits still failed with `RunLimit: Timeout`), so both denied checks the user is
// allowed: false denies. This encoding is the lightest Biscuit can do.
//
// The package targets bundlers (`import * as wasm from "./biscuit_bg.wasm"`), which Node 20 runs
// only with --experimental-wasm-modules. We instantiate the module the way a bundler does: the
// same .wasm, the same glue, so the figures are the package's.

import { readFileSync } from "node:fs";
import * as glue from "../node_modules/@biscuit-auth/biscuit-wasm/module/biscuit_bg.js";
import * as perf from "../node_modules/@biscuit-auth/biscuit-wasm/module/snippets/biscuit-auth-314ca57174ae0e6d/inline0.js";
import { model, permissions, roles, userView, grant, isWildcard, expandWildcard, filterTree } from "../lib/amplify.mjs";
import { versionOf, modulePath } from "../lib/work.mjs";

export const name = "Biscuit";
export const pkgName = "@biscuit-auth/biscuit-wasm";
export const version = versionOf(pkgName);
/** Whether `build` verifies a signature on the payload. */
export const signsPayload = true;
export const wasmPath = modulePath("@biscuit-auth/biscuit-wasm/module/biscuit_bg.wasm");

const { AuthorizerBuilder, Biscuit, Fact, PrivateKey, SignatureAlgorithm } = glue;
// A fixed, published benchmark key (not secret): tokens made in one process verify in another.
const SEED = new Uint8Array(32).fill(7);

const str = (s) => JSON.stringify(s);

/** The authorizer's code: the catalogue's products, and the policies. */
export function authorizerCode() {
  const lines = [];
  for (const p of model.permissions) if (p.product) lines.push(`product_of(${str(p.id)}, ${str(p.product)});`);
  lines.push(
    `deny if operation($p), revoked($p);`,
    `deny if operation($p), product_of($p, $prod), product_off($prod);`,
    `allow if operation($p), right($p, "*");`,
    `allow if operation($p), scope($s), right($p, $s);`,
    `allow if operation($p), scope(""), right($p, $any);`,
  );
  return lines.join("\n");
}

let base = null; // AuthorizerBuilder with the parsed authorizer code
let publicKey = null;
let privateKey = null;

/** The application's static configuration: the authorizer's Datalog code. */
export function prepare() {
  return { code: authorizerCode() };
}

/** Module init, as a bundler does it, then parse the authorizer code once. */
export async function init(config, bytes = readFileSync(wasmPath)) {
  const module = await WebAssembly.compile(bytes);
  const instance = await WebAssembly.instantiate(module, {
    "./biscuit_bg.js": glue,
    "./snippets/biscuit-auth-314ca57174ae0e6d/inline0.js": perf,
  });
  glue.__wbg_set_wasm(instance.exports);
  // Its start function logs "biscuit-wasm loading"; keep the report's output clean.
  const log = console.log;
  console.log = () => {};
  try {
    instance.exports.__wbindgen_start();
  } finally {
    console.log = log;
  }
  privateKey = PrivateKey.fromBytes(SEED, SignatureAlgorithm.Ed25519);
  publicKey = glue.KeyPair.fromPrivateKey(privateKey).getPublicKey();
  base = new AuthorizerBuilder();
  base.addCode(config.code);
}

/**
 * What a server sends for one user: their token. The issuer resolves the user's rights from the
 * role table (roles direct and through teams, Administrator, own grants), with wildcards and
 * implication followed; a revoked permission, or one whose product is off, implies nothing.
 */
export function payload(user) {
  const u = userView(user);
  const held = (p) => !u.revokes.includes(p) && !u.productsOff.includes(permissions.get(p)?.product);
  const rights = new Map(); // permission -> Set of scopes ("*": unscoped)
  const give = (id, scopes) => {
    const stack = isWildcard(id) ? expandWildcard(id) : permissions.has(id) ? [id] : [];
    const seen = new Set();
    while (stack.length > 0) {
      const p = stack.pop();
      if (seen.has(p)) continue;
      seen.add(p);
      if (!rights.has(p)) rights.set(p, new Set());
      for (const s of scopes) rights.get(p).add(s);
      if (held(p)) stack.push(...(permissions.get(p).implies ?? []));
    }
  };
  for (const r of u.roles) {
    const role = roles.get(r);
    if (role.admin) give("*", ["*"]);
    for (const g of (role.grants ?? []).map(grant)) give(g.permission, g.scope ?? ["*"]);
  }
  for (const g of u.grants) give(g.permission, g.scope ?? ["*"]);
  const facts = [`user(${str(user)});`];
  for (const [p, scopes] of rights) for (const s of scopes) facts.push(`right(${str(p)}, ${str(s)});`);
  facts.push(...u.revokes.map((p) => `revoked(${str(p)});`), ...u.productsOff.map((p) => `product_off(${str(p)});`));
  const b = Biscuit.builder();
  b.addCode(facts.join("\n"));
  return b.build(privateKey).toBase64();
}

/** Verify the token's signature: the user's checker is the token plus the shared authorizer. */
export function build(token) {
  return { token: Biscuit.fromBase64(token, publicKey), facts: new Map() };
}

// Request facts are parsed once per (permission, scope) and reused: adding copies them.
function requestFacts(ctx, permission, scope) {
  const key = scope == null ? permission : `${permission}\u0000${scope}`;
  let f = ctx.facts.get(key);
  if (f === undefined) {
    f = [Fact.fromString(`operation(${str(permission)})`), Fact.fromString(`scope(${str(scope ?? "")})`)];
    ctx.facts.set(key, f);
  }
  return f;
}

/** Authorizations that failed with a run-limit timeout (false denies), for the report. */
export let timeouts = 0;

function authorize(ctx, facts) {
  const b = new AuthorizerBuilder();
  b.merge(base);
  b.addFact(facts[0]);
  b.addFact(facts[1]);
  const a = b.buildAuthenticated(ctx.token);
  try {
    a.authorize();
    return true;
  } catch (e) {
    if (e?.RunLimit === "Timeout") timeouts++;
    return false;
  } finally {
    a.free();
  }
}

export function can(ctx, permission, scope) {
  return authorize(ctx, requestFacts(ctx, permission, scope));
}

export function menu(ctx, tree) {
  return filterTree(tree, (req) => authorize(ctx, requestFacts(ctx, req.permission, req.scope)));
}
