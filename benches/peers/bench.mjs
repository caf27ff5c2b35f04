// Times one engine: each row in a fresh Node process, so one row's JIT state and garbage never
// land on another's figures (and a V8 deoptimizer crash that Node 20 hits when Cedar's scoped
// check runs after its other rows in one process stays out of the way). Medians (p50) from
// mitata.
//
//   node bench.mjs ENGINE       -> .work/results/bench-ENGINE.json
//   node bench.mjs ENGINE ROW   (internal: one row, JSON on stdout)

import { spawnSync } from "node:child_process";
import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { load, readConfig, readPayload, writeResult } from "./lib/engines.mjs";
import { menu, ROOT } from "./lib/amplify.mjs";

const ROWS = ["check", "scopedCheck", "menu", "load", "signedLoad"];
const USER = "member";
const [id, row] = process.argv.slice(2);
const e = await load(id);

if (row === undefined) {
  const self = fileURLToPath(import.meta.url);
  const rows = {};
  for (const r of ROWS) {
    const child = spawnSync(process.execPath, [self, id, r], { encoding: "utf8" });
    if (child.status !== 0) throw new Error(`${e.name} ${r}: ${child.stderr.slice(0, 2000)}`);
    rows[r] = JSON.parse(child.stdout);
  }
  writeResult(`bench-${id}`, { engine: id, name: e.name, version: e.version, user: USER, rows });
  console.error(`bench: ${e.name}: ${Object.entries(rows).map(([k, v]) => `${k} ${fmt(v.p50)}`).join(", ")}`);
} else {
  const { measure, do_not_optimize } = await import("mitata");
  await e.init(readConfig(id));
  const payload = readPayload(id, USER);
  const ctx = await e.build(payload);
  const expect = (what, got, want) => {
    if (got !== want) throw new Error(`${e.name}: ${what} answered ${got}, expected ${want}`);
  };
  const sync = !(e.build(payload) instanceof Promise);
  let fn;
  switch (row) {
    case "check":
      fn = () => do_not_optimize(e.can(ctx, "fax.send"));
      break;
    case "scopedCheck":
      fn = () => do_not_optimize(e.can(ctx, "fax.send_from", "+15550100"));
      break;
    case "menu":
      fn = () => do_not_optimize(e.menu(ctx, menu.tree));
      break;
    case "load":
      // The module is ready: from the payload string to a checker (signature verification
      // included for permslip, permslip lite and Biscuit; permslip lite also instantiates its
      // module here, one instance per token).
      fn = sync ? () => do_not_optimize(e.build(payload)) : async () => do_not_optimize(await e.build(payload));
      break;
    case "signedLoad": {
      // Load at equal trust: permslip (both entries) and Biscuit verify an Ed25519 signature on
      // what the server sent; CASL, casbin and Cedar trust their payload as it comes. Here their
      // payload arrives as a JWS (EdDSA, the same test key) verified with node:crypto (native
      // code, the fastest verifier Node has; a browser's WebCrypto is asynchronous) before the
      // build.
      if (e.signsPayload) {
        fn = sync ? () => do_not_optimize(e.build(payload)) : async () => do_not_optimize(await e.build(payload));
        break;
      }
      const jwk = JSON.parse(readFileSync(`${ROOT}tests/keys/test-private.jwk.json`, "utf8"));
      const priv = createPrivateKey({ key: jwk, format: "jwk" });
      const pub = createPublicKey(priv);
      const b64 = (b) => Buffer.from(b).toString("base64url");
      const signingInput = `${b64('{"alg":"EdDSA","typ":"JWT"}')}.${b64(payload)}`;
      const jws = `${signingInput}.${b64(sign(null, Buffer.from(signingInput), priv))}`;
      const open = (token) => {
        const dot = token.lastIndexOf(".");
        if (!verify(null, Buffer.from(token.slice(0, dot)), pub, Buffer.from(token.slice(dot + 1), "base64url"))) {
          throw new Error("invalid signature");
        }
        return Buffer.from(token.slice(token.indexOf(".") + 1, dot), "base64url").toString("utf8");
      };
      expect("JWS round trip", open(jws), payload);
      fn = sync ? () => do_not_optimize(e.build(open(jws))) : async () => do_not_optimize(await e.build(open(jws)));
      break;
    }
    default:
      throw new Error(`unknown row ${row}`);
  }
  // Warm up (Biscuit needs it, see engines/biscuit.mjs), then check the answers timed are the
  // expected ones (verify.mjs checked them all).
  for (let i = 0; i < 50; i++) await fn();
  expect("can(fax.send)", e.can(ctx, "fax.send"), true);
  expect("can(fax.send_from, +15550100)", e.can(ctx, "fax.send_from", "+15550100"), true);
  expect("can(fax.send_from, +15550101)", e.can(ctx, "fax.send_from", "+15550101"), false);
  const stats = await measure(fn);
  process.stdout.write(JSON.stringify({ p50: stats.p50, avg: stats.avg, p99: stats.p99, samples: stats.samples.length }));
}

function fmt(ns) {
  return ns < 1e3 ? `${ns.toFixed(0)} ns` : ns < 1e6 ? `${(ns / 1e3).toFixed(1)} µs` : `${(ns / 1e6).toFixed(2)} ms`;
}
