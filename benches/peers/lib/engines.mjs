// The engines compared, and the interface each module in engines/ implements:
//
//   name, pkgName, version
//   prepare()               the application's static configuration, built from its role table
//                           (what a build step would emit; JSON; not timed)
//   init(config, wasm?)     module init (compile + instantiate any .wasm) and parsing of the
//                           static configuration, once per process
//   payload(user)           what a server sends for one user, as a string (not timed)
//   build(payload)          the user's checker (ability, enforcer, policy set, verified token)
//   can(ctx, perm, scope?)  one check; no scope = "for some value"
//   menu(ctx, tree)         the visible part of a navigation tree

import { readFileSync, mkdirSync, writeFileSync, existsSync } from "node:fs";
import { WORK, PKG, modulePath } from "./work.mjs";

export const ENGINES = ["permslip", "permslip-lite", "casl", "casbin", "cedar", "biscuit"];

/** The .wasm each engine loads (null: pure JS). */
export const WASM = {
  permslip: `${PKG}/dist/permslip_bg.wasm`,
  "permslip-lite": `${PKG}/dist/permslip_lite.wasm`,
  casl: null,
  casbin: null,
  cedar: modulePath("@cedar-policy/cedar-wasm/web/cedar_wasm_bg.wasm"),
  biscuit: modulePath("@biscuit-auth/biscuit-wasm/module/biscuit_bg.wasm"),
};

export const load = (id) => import(`../engines/${id}.mjs`);

export const configPath = (id) => `${WORK}/config/${id}.json`;
export const payloadPath = (id, user) => `${WORK}/payloads/${id}/${user}.txt`;

export function readConfig(id) {
  return JSON.parse(readFileSync(configPath(id), "utf8"));
}

export function readPayload(id, user) {
  return readFileSync(payloadPath(id, user), "utf8");
}

export function readWasm(id) {
  return WASM[id] === null ? undefined : readFileSync(WASM[id]);
}

export function write(path, text) {
  mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  writeFileSync(path, text);
}

export function writeResult(name, value) {
  write(`${WORK}/results/${name}.json`, JSON.stringify(value, null, 1));
}

export function readResult(name) {
  const p = `${WORK}/results/${name}.json`;
  return existsSync(p) ? JSON.parse(readFileSync(p, "utf8")) : null;
}
