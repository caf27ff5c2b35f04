// (a4) An expired snapshot keeps answering "deny" with reason `expired`, never a stale allow.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Permslip } from "permslip";
import { AUDIENCE, JWKS_JSON, NOW_MS, NOW_S, sampleClaims, sampleNav, signWithJose } from "./helpers.mjs";
import { visibleIds } from "./decisions.mjs";

test("with a test clock: allow until exp + leeway, then deny with reason expired", async () => {
  const token = await signWithJose(sampleClaims({ exp: NOW_S + 100 }));
  let now = NOW_MS;
  const p = Permslip.load(token, { jwks: JWKS_JSON, audience: AUDIENCE, now: () => now, leeway: 5 });
  const h = p.handle("reports.view");
  const menu = sampleNav();
  assert.equal(p.can("reports.view"), true);
  assert.equal(p.check(h), true);
  assert.equal(p.expired, false);
  assert.ok(visibleIds(p.filterMenu(menu)).includes("reports/view"));

  now = (NOW_S + 104) * 1000 + 999; // still inside the leeway
  assert.equal(p.can("reports.view"), true);

  now = (NOW_S + 105) * 1000; // exp + leeway: expired (the rule Rust uses at load)
  assert.equal(p.expired, true);
  assert.equal(p.can("reports.view"), false);
  assert.equal(p.can("fax.send_from", "+15550100"), false);
  assert.equal(p.check(h), false);
  assert.deepEqual([...p.checkMany(Uint32Array.of(h, h))], [0, 0]);
  assert.equal(p.featureLevel("documents"), null);
  assert.equal(p.visible("documents"), false);
  assert.equal(p.canFeature("documents", "view"), false);
  assert.equal(p.canResource("doc-1", "view"), false);
  assert.equal(p.resourceLevel("doc-1"), null);
  assert.deepEqual(p.list("documents", "view"), []);
  assert.deepEqual(p.permissions(), []);
  assert.deepEqual(p.profile().levels, []);
  assert.equal(p.profile().subject, "ada");
  // Only items that require nothing remain.
  assert.deepEqual(visibleIds(p.filterMenu(menu)), ["help"]);

  for (const query of [
    { permission: "reports.view" },
    { permission: "fax.send_from", scope: "+15550100" },
    { feature: "documents", action: "view" },
    { resource: "doc-1", action: "view" },
  ]) {
    const e = p.explain(query);
    assert.equal(e.allowed, false);
    assert.equal(e.reason, "expired");
    assert.match(e.message, /expired/);
  }
  assert.equal(p.explain({ permission: "reports.view" }).query, "permission reports.view");

  // A clock that goes back does not revive it.
  now = NOW_MS;
  assert.equal(p.can("reports.view"), false);
  assert.equal(p.expired, true);
});

test("with the real clock: the coarse clock notices expiry on the next task", async () => {
  const nowS = Math.floor(Date.now() / 1000);
  const token = await signWithJose(sampleClaims({ iat: nowS - 5, nbf: nowS - 5, exp: nowS + 2 }));
  const p = Permslip.load(token, { jwks: JWKS_JSON, audience: AUDIENCE, leeway: 0 });
  assert.equal(p.can("reports.view"), true);
  const h = p.handle("reports.view");
  // Many checks in one task reuse one clock reading (refreshed every 1024 checks).
  for (let i = 0; i < 5000; i++) assert.equal(p.check(h), true);
  const waitMs = (nowS + 2) * 1000 - Date.now() + 20;
  await sleep(Math.max(waitMs, 0));
  assert.equal(p.can("reports.view"), false);
  assert.equal(p.check(h), false);
  assert.equal(p.explain({ permission: "reports.view" }).reason, "expired");
});

test("denyAll answers deny with its reason", () => {
  for (const reason of ["invalid", "expired"]) {
    const p = Permslip.denyAll(reason);
    assert.equal(p.can("anything"), false);
    assert.equal(p.check(p.handle("anything")), false);
    assert.equal(p.featureLevel("x"), null);
    assert.deepEqual(p.list("x", "view"), []);
    assert.deepEqual(p.filterMenu([{ id: "a", requires: { permission: "x" } }, { id: "b" }]).map((i) => i.id), ["b"]);
    assert.equal(p.explain({ permission: "x" }).reason, reason);
    assert.equal(p.expired, true);
    assert.deepEqual(p.permissions(), []);
  }
});
