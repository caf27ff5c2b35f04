// Before anything is timed: every engine must give the expected decisions, from the
// hand-verified table tests/vectors/decisions.json: the visible leaves of the 40-item menu for
// every example user, and every Amplify permission check of the table. Then permslip lite
// against the full permslip beyond the table: every permission of the model for every user,
// unscoped and for every scope value the model and directory name (and unknown ones), and the
// whole navigation. Exits 1 on a mismatch.

import { ENGINES, load, readConfig, readPayload, writeResult } from "./lib/engines.mjs";
import { users, menu, leafIds, expectedMenu, expectedChecks, model, directory } from "./lib/amplify.mjs";

const only = process.argv[2];
const report = {};
let failed = 0;
for (const id of only ? [only] : ENGINES) {
  const e = await load(id);
  await e.init(readConfig(id));
  const ctx = new Map();
  for (const u of users) ctx.set(u, await e.build(readPayload(id, u)));
  // Biscuit denies with a run-limit timeout while its wasm is still being tiered up (see
  // engines/biscuit.mjs): warm it up first, and count what the warm-up lost.
  let warmupTimeouts = 0;
  if (id === "biscuit") {
    for (let i = 0; i < 5; i++) for (const u of users) e.menu(ctx.get(u), menu.tree);
    warmupTimeouts = e.timeouts;
  }
  const mismatches = [];
  for (const u of users) {
    const got = leafIds(e.menu(ctx.get(u), menu.tree));
    const want = expectedMenu.get(u);
    if (got.join() !== want.join()) {
      mismatches.push({ user: u, menu: true, extra: got.filter((x) => !want.includes(x)), missing: want.filter((x) => !got.includes(x)) });
    }
  }
  for (const c of expectedChecks) {
    const got = e.can(ctx.get(c.user), c.permission, c.scope);
    if (got !== c.allow) mismatches.push({ ...c, got });
  }
  const menuChecks = users.length;
  report[id] = {
    name: e.name,
    version: e.version,
    menus: menuChecks,
    checks: expectedChecks.length,
    visibleLeaves: users.reduce((n, u) => n + expectedMenu.get(u).length, 0),
    mismatches,
    warmupTimeouts,
  };
  if (mismatches.length > 0) {
    failed++;
    console.error(`verify: ${e.name} disagrees with decisions.json:`);
    for (const m of mismatches) console.error(`  ${JSON.stringify(m)}`);
  } else {
    console.error(
      `verify: ${e.name} ${e.version}: ${menuChecks} menus of 40 and ${expectedChecks.length} checks as expected` +
        (warmupTimeouts ? ` (after warm-up; ${warmupTimeouts} false denies by timeout during warm-up)` : ""),
    );
  }
}
// permslip lite answers what the full entry answers (docs/LITE.md: identical by construction).
if (!only || only === "permslip-lite") {
  const full = await load("permslip");
  const lite = await load("permslip-lite");
  await full.init(readConfig("permslip"));
  await lite.init(readConfig("permslip-lite"));
  const values = new Set(["", "no-such-value"]);
  const walk = (x) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === "object") {
      for (const [k, v] of Object.entries(x)) {
        if (k === "scope" && typeof v === "string") values.add(v);
        else if (k === "scope" && Array.isArray(v)) v.forEach((s) => typeof s === "string" && values.add(s));
        else walk(v);
      }
    }
  };
  walk(model.roles);
  walk(directory);
  walk(model.nav);
  for (const c of expectedChecks) if (c.scope != null) values.add(c.scope);
  const names = [...model.permissions.map((p) => p.id), "no.such.permission", "fax.*", "*", ""];
  const differences = [];
  let compared = 0;
  for (const u of users) {
    const f = full.build(readPayload("permslip", u));
    const l = lite.build(readPayload("permslip-lite", u));
    for (const p of names) {
      for (const s of [undefined, ...values]) {
        const a = full.can(f, p, s);
        const b = lite.can(l, p, s);
        compared++;
        if (a !== b) differences.push({ user: u, permission: p, scope: s ?? null, full: a, lite: b });
      }
    }
    const a = JSON.stringify(full.menu(f, model.nav));
    const b = JSON.stringify(lite.menu(l, model.nav));
    compared++;
    if (a !== b) differences.push({ user: u, menu: "the whole nav", full: leafIds(JSON.parse(a)), lite: leafIds(JSON.parse(b)) });
  }
  if (differences.length > 0) {
    failed++;
    console.error(`verify: permslip lite disagrees with permslip in ${differences.length} of ${compared} answers:`);
    for (const d of differences.slice(0, 50)) console.error(`  ${JSON.stringify(d)}`);
  } else {
    console.error(
      `verify: permslip lite answers as permslip: ${compared} answers (${names.length} permissions x ${values.size + 1} scopes x ` +
        `${users.length} users, and the whole nav per user)`,
    );
  }
  if (report["permslip-lite"]) report["permslip-lite"].agreesWithFull = { compared, differences };
}
if (!only) writeResult("verify", report);
process.exit(failed === 0 ? 0 : 1);
