// (a3) A snapshot signed in Node with the npm `jose` library (EdDSA) from a hand-written payload
// verifies and checks correctly.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Catalogue, KeySet, Permslip } from "permslip";
import {
  AUDIENCE,
  JWKS_JSON,
  NOW_MS,
  PRIVATE_JWK_2,
  sampleClaims,
  sampleNav,
  sampleSlip,
  signCatalogueWithJose,
  signWithJose,
} from "./helpers.mjs";
import { visibleIds } from "./decisions.mjs";

const load = (token, extra = {}) => Permslip.load(token, { jwks: JWKS_JSON, audience: AUDIENCE, now: NOW_MS, ...extra });

test("a jose-signed snapshot loads and answers every kind of check", async () => {
  const p = load(await signWithJose(sampleClaims()), { issuer: "https://auth.example.test", subject: "ada" });
  assert.equal(p.subject, "ada");
  assert.equal(p.issuer, "https://auth.example.test");
  assert.equal(p.serial, 7);
  assert.equal(p.expiresAt.getTime(), NOW_MS + 600_000);
  assert.equal(p.expired, false);
  assert.deepEqual(p.levels, ["reader", "editor", "owner"]);

  const cases = [
    [["reports.view"], true, "granted"],
    [["reports.export"], true, "granted"],
    [["fax.send"], true, "granted"],
    [["fax.send_from", "+15550100"], true, "granted"],
    [["fax.send_from", "+15550199"], false, "scope_not_granted"],
    [["fax.send_from"], true, "granted"],
    [["fax.ai_ocr"], false, "explicit_only"],
    [["connect.call"], false, "product_off"],
    [["billing.manage"], false, "revoked"],
    [["users.edit"], false, "not_granted"],
    [["no.such"], false, "unknown_permission"],
  ];
  for (const [[perm, scope], allow, reason] of cases) {
    assert.equal(p.can(perm, scope), allow, `can(${perm}, ${scope})`);
    assert.equal(p.check(p.handle(perm, scope)), allow, `check(handle(${perm}, ${scope}))`);
    const e = p.explain({ permission: perm, scope });
    assert.equal(e.allowed, allow);
    assert.equal(e.reason, reason, `reason of ${perm} ${scope}`);
  }
  assert.deepEqual(p.explain({ permission: "users.edit" }).granted_by, ["admin"]);
  assert.equal(p.explain({ permission: "connect.call" }).product, "connect");

  assert.equal(p.featureLevel("documents"), "editor");
  assert.equal(p.featureLevel("calls"), "reader");
  assert.equal(p.featureLevel("checklists"), null);
  assert.equal(p.featureLevel("nope"), null);
  assert.equal(p.visible("documents"), true);
  assert.equal(p.visible("checklists"), false);
  assert.equal(p.canFeature("documents", "edit"), true);
  assert.equal(p.canFeature("documents", "delete"), false);
  assert.equal(p.canFeature("documents", "fly"), false);
  assert.equal(p.explain({ feature: "documents", action: "delete" }).reason, "level_too_low");
  assert.equal(p.explain({ feature: "documents", action: "delete" }).needed, "owner");
  assert.equal(p.explain({ feature: "documents", action: "fly" }).reason, "unknown_action");

  assert.deepEqual(p.list("documents", "view"), ["doc-1", "doc-3"]);
  assert.deepEqual(p.list("documents", "delete"), ["doc-3"]);
  assert.deepEqual(p.list("calls", "view"), ["call-1", "call-2"]);
  assert.deepEqual(p.list("checklists", "view"), ["list-1"]);
  assert.deepEqual(p.list("checklists", "edit"), [], "checklists override edit to owner");
  assert.equal(p.resourceLevel("doc-3"), "owner");
  assert.equal(p.resourceLevel("doc-2"), null);
  assert.equal(p.canResource("doc-3", "delete"), true);
  assert.equal(p.canResource("doc-2", "view"), false);
  assert.equal(p.explain({ resource: "doc-2", action: "view" }).reason, "restricted");
  assert.equal(p.explain({ resource: "ghost", action: "view" }).reason, "unknown_resource");
  assert.equal(p.canResource("call-3", "view"), false);
  assert.equal(p.check(p.resourceHandle("doc-3", "owner")), true);
  assert.equal(p.check(p.featureHandle("documents", "owner")), false);
  assert.equal(p.check(p.featureHandle("documents")), true);

  assert.deepEqual(visibleIds(p.filterMenu(sampleNav())), [
    "reports",
    "reports/view",
    "reports/export",
    "fax",
    "fax/send",
    "fax/from-main",
    "docs",
    "help",
  ]);

  const profile = p.profile();
  assert.equal(profile.subject, "ada");
  assert.equal(profile.name, "Ada");
  assert.deepEqual(
    profile.roles.map((r) => `${r.role} ${r.via}`).sort(),
    ["clerk team:billing", "member direct"],
  );
  assert.deepEqual(profile.teams, [{ id: "billing", name: "Billing" }]);
  assert.deepEqual(profile.manages, ["bob"]);
  const perms = Object.fromEntries(p.permissions().map((e) => [e.permission, e]));
  assert.deepEqual(Object.keys(perms).sort(), ["fax.send", "fax.send_from", "reports.export", "reports.view"]);
  assert.deepEqual(perms["fax.send_from"].scopes, ["+15550100"]);
  assert.equal(perms["fax.send"].scopes, null);
  assert.deepEqual(perms["fax.send"].via, [{ kind: "user" }]);
  assert.ok(perms["reports.view"].via.some((s) => s.kind === "implied" && s.by === "reports.export"));
});

test("an audience array, a jose-signed token from the second key, and a KeySet reused", async () => {
  const keys = KeySet.parse(JSON.parse(JWKS_JSON));
  assert.deepEqual(keys.kids, ["test-1", "test-2"]);
  const token = await signWithJose(sampleClaims({ aud: ["other-app", AUDIENCE] }), { jwk: PRIVATE_JWK_2 });
  const p = Permslip.load(token, { jwks: keys, audience: AUDIENCE, now: NOW_MS });
  assert.equal(p.can("reports.view"), true);
  const again = Permslip.load(token, { jwks: keys, audience: "other-app", now: NOW_MS });
  assert.equal(again.can("fax.send"), true);
});

test("a jose-signed catalogue bundle and a slip naming it by hash", async () => {
  const slip = sampleSlip();
  const { token: bundle, hash } = await signCatalogueWithJose(slip.catalogue);
  const catalogue = Catalogue.load(bundle, { jwks: JWKS_JSON, audience: AUDIENCE, now: NOW_MS });
  assert.equal(catalogue.hash, hash);
  delete slip.catalogue;
  slip.catalogue_hash = hash;
  const token = await signWithJose(sampleClaims({ slip }));
  const p = load(token, { catalogue });
  assert.equal(p.can("reports.view"), true);
  assert.equal(p.can("fax.send_from", "+15550199"), false);
  assert.equal(p.featureLevel("documents"), "editor");
  assert.deepEqual(p.list("calls", "view"), ["call-1", "call-2"]);
  // One bundle serves many snapshots of its model.
  const other = load(await signWithJose(sampleClaims({ sub: "bob", slip: { ...slip, user: { id: "bob" }, teams: [], resources: [] } })), { catalogue });
  assert.equal(other.can("reports.view"), false);
  assert.equal(other.explain({ permission: "reports.view" }).reason, "not_granted");
});
