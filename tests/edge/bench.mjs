// Cold (verify + compile + check) vs cached gate time per request, in Node (workerd's Date.now
// is coarse by design, so timings are taken here), on the full engine and (when the CLI can
// issue lite tokens) on the lite one. Prints a table; `--json` prints JSON.
//   node tests/edge/bench.mjs
import { Catalogue, KeySet, Permslip } from "../../pkg/src/node.js";
import * as lite from "../../pkg/src/lite.js";
import { createGate } from "../../pkg/src/edge.js";
import { ISSUE, issueLite, liteSkip } from "../js/lite-fixtures.mjs";
import { AMPLIFLOW_ROUTES, AUDIENCE, CATALOGUE, EXAMPLE_ROUTES, golden, JWKS_JSON } from "./helpers.mjs";

const noLite = liteSkip();

function stats(fn, n, warm = 50) {
  for (let i = 0; i < warm; i++) fn();
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = performance.now();
    fn();
    t[i] = performance.now() - a;
  }
  t.sort();
  const us = (q) => Math.round(t[Math.min(n - 1, Math.floor(q * n))] * 1000 * 10) / 10;
  return { median: us(0.5), p90: us(0.9), p99: us(0.99) };
}

const cases = [
  {
    name: "amplify/member (bundle catalogue)",
    example: "amplify",
    user: "member",
    token: golden("amplify", "member"),
    options: { routes: EXAMPLE_ROUTES, catalogue: CATALOGUE },
    allow: ["POST", "/api/fax/numbers/%2B15550100/send"],
    deny: ["POST", "/api/fax/numbers/%2B15550101/send"],
  },
  {
    name: "ampliflow/manager (inline catalogue)",
    example: "ampliflow",
    user: "manager",
    token: golden("ampliflow", "manager"),
    options: { routes: AMPLIFLOW_ROUTES },
    allow: ["GET", "/lists/list-incidents"],
    deny: ["PUT", "/profile"],
  },
];

const rows = [];
for (const c of cases) {
  const base = { jwks: JWKS_JSON, audience: AUDIENCE, ...c.options };
  const cold = createGate({ ...base, cacheSize: 0 });
  const warm = createGate(base);
  const request = ([method, path], token = c.token) =>
    new Request(`https://app.example.test${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  // What the gate does on a miss, without the gate: the key set and bundle are parsed once.
  const keys = KeySet.parse(JWKS_JSON);
  const loadOnly = { jwks: keys, audience: AUDIENCE };
  if (c.options.catalogue) loadOnly.catalogue = Catalogue.load(CATALOGUE, { jwks: keys, audience: AUDIENCE });
  const check = (g, what, status, token) => {
    const r = g.authorize(request(what, token));
    if (r.status !== status) throw new Error(`${c.name}: expected ${status}, got ${r.status}`);
  };
  const row = {
    case: c.name,
    tokenBytes: c.token.length,
    "Permslip.load (verify + compile)": stats(() => Permslip.load(c.token, loadOnly).free(), 500),
    "gate cold, allow": stats(() => check(cold, c.allow, 200), 500),
    "gate cached, allow": stats(() => check(warm, c.allow, 200), 20_000),
    "gate cached, deny (403 + explanation)": stats(() => check(warm, c.deny, 403), 5_000),
    "new Request only (baseline, in all gate rows)": stats(() => request(c.allow), 20_000),
  };
  if (!noLite) {
    // The same user's lite token (issued by the CLI) through a gate on the lite engine.
    const token = issueLite(c.example, ...ISSUE, "--subject", c.user);
    const liteBase = { routes: c.options.routes, jwks: JWKS_JSON, audience: AUDIENCE, engine: lite };
    const liteCold = createGate({ ...liteBase, cacheSize: 0 });
    const liteWarm = createGate(liteBase);
    const liteKeys = { jwks: lite.KeySet.parse(JWKS_JSON), audience: AUDIENCE };
    row.liteTokenBytes = token.length;
    row["lite: Permslip.load (verify)"] = stats(() => lite.Permslip.load(token, liteKeys).free(), 500);
    row["lite: gate cold, allow"] = stats(() => check(liteCold, c.allow, 200, token), 500);
    row["lite: gate cached, allow"] = stats(() => check(liteWarm, c.allow, 200, token), 20_000);
    row["lite: gate cached, deny (403 + explanation)"] = stats(() => check(liteWarm, c.deny, 403, token), 5_000);
  }
  rows.push(row);
}

if (process.argv.includes("--json")) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  console.log(`Node ${process.version}; microseconds per request (median / p90 / p99)\n`);
  for (const r of rows) {
    console.log(`${r.case}, token ${r.tokenBytes} bytes${r.liteTokenBytes ? `, lite token ${r.liteTokenBytes} bytes` : ""}`);
    for (const [k, v] of Object.entries(r)) {
      if (typeof v === "object") console.log(`  ${k.padEnd(48)} ${String(v.median).padStart(8)} / ${String(v.p90).padStart(8)} / ${String(v.p99).padStart(8)}`);
    }
  }
  if (noLite) console.log(`(no lite rows: ${noLite})`);
}
