// Before anything is timed: every engine must give the expected decisions, from the
// hand-verified table tests/vectors/decisions.json: the visible leaves of the 40-item menu for
// every example user, and every Amplify permission check of the table. Exits 1 on a mismatch.

import { ENGINES, load, readConfig, readPayload, writeResult } from "./lib/engines.mjs";
import { users, menu, leafIds, expectedMenu, expectedChecks } from "./lib/amplify.mjs";

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
if (!only) writeResult("verify", report);
process.exit(failed === 0 ? 0 : 1);
