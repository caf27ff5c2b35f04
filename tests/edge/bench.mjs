// Cold (verify + compile + check) vs cached gate time per request, in Node (workerd's Date.now
// is coarse by design, so timings are taken here). Prints a table; `--json` prints JSON.
//   node tests/edge/bench.mjs
import { Catalogue, KeySet, Permslip } from "../../pkg/src/node.js";
import { createGate } from "../../pkg/src/edge.js";
import { AMPLIFLOW_ROUTES, AUDIENCE, CATALOGUE, EXAMPLE_ROUTES, golden, JWKS_JSON } from "./helpers.mjs";

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
    token: golden("amplify", "member"),
    options: { routes: EXAMPLE_ROUTES, catalogue: CATALOGUE },
    allow: ["POST", "/api/fax/numbers/%2B15550100/send"],
    deny: ["POST", "/api/fax/numbers/%2B15550101/send"],
  },
  {
    name: "ampliflow/manager (inline catalogue)",
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
  const request = ([method, path]) => new Request(`https://app.example.test${path}`, { method, headers: { authorization: `Bearer ${c.token}` } });
  // What the gate does on a miss, without the gate: the key set and bundle are parsed once.
  const keys = KeySet.parse(JWKS_JSON);
  const loadOnly = { jwks: keys, audience: AUDIENCE };
  if (c.options.catalogue) loadOnly.catalogue = Catalogue.load(CATALOGUE, { jwks: keys, audience: AUDIENCE });
  const check = (g, what, status) => {
    const r = g.authorize(request(what));
    if (r.status !== status) throw new Error(`${c.name}: expected ${status}, got ${r.status}`);
  };
  rows.push({
    case: c.name,
    tokenBytes: c.token.length,
    "Permslip.load (verify + compile)": stats(() => Permslip.load(c.token, loadOnly).free(), 500),
    "gate cold, allow": stats(() => check(cold, c.allow, 200), 500),
    "gate cached, allow": stats(() => check(warm, c.allow, 200), 20_000),
    "gate cached, deny (403 + explanation)": stats(() => check(warm, c.deny, 403), 5_000),
    "new Request only (baseline, in all gate rows)": stats(() => request(c.allow), 20_000),
  });
}

if (process.argv.includes("--json")) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  console.log(`Node ${process.version}; microseconds per request (median / p90 / p99)\n`);
  for (const r of rows) {
    console.log(`${r.case}, token ${r.tokenBytes} bytes`);
    for (const [k, v] of Object.entries(r)) {
      if (typeof v === "object") console.log(`  ${k.padEnd(46)} ${String(v.median).padStart(8)} / ${String(v.p90).padStart(8)} / ${String(v.p99).padStart(8)}`);
    }
  }
}
