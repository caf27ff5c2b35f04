// permslip/react in Node, rendered to strings with react-dom/server (React from www/'s
// dependencies): fail-closed outside a provider, a fixed checker, a session, every query form,
// <Can> with a node or a function fallback, useMenu. The browser side runs in console.test.mjs.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { register } from "node:module";
import { test } from "node:test";
import { Permslip } from "permslip";
import { AUDIENCE, JWKS_JSON, NOW_MS, sampleClaims, sampleNav, signWithJose } from "../js/helpers.mjs";

const reactInstalled = existsSync(new URL("../../www/node_modules/react/package.json", import.meta.url));
const skip = reactInstalled ? false : "www/node_modules is missing: run `npm --prefix www ci`";

let React, renderToString, bindings, createSession;
if (reactInstalled) {
  register("./react-resolve.mjs", import.meta.url);
  React = await import("react");
  ({ renderToString } = await import("react-dom/server"));
  bindings = await import("../../pkg/src/react.js");
  ({ createSession } = await import("../../pkg/src/session.js"));
}
const h = (...args) => React.createElement(...args);
const load = async (claims = {}) =>
  Permslip.load(await signWithJose(sampleClaims(claims)), { jwks: JWKS_JSON, audience: AUDIENCE, now: NOW_MS });

/** Renders `probe()` (called inside the tree, so hooks work) and returns what it gave back. */
function run(wrap, probe) {
  let out;
  const Probe = () => {
    out = probe();
    return null;
  };
  renderToString(wrap(h(Probe)));
  return out;
}

test("outside a provider everything denies (reason invalid), status loading", { skip }, () => {
  const { useCan, useExplain, usePermslipState, useMenu } = bindings;
  const got = run((x) => x, () => ({
    can: useCan("reports.view"),
    why: useExplain("reports.view"),
    status: usePermslipState().status,
    menu: useMenu(sampleNav()).map((i) => i.id),
  }));
  assert.equal(got.can, false);
  assert.equal(got.why.reason, "invalid");
  assert.equal(got.status, "loading");
  assert.deepEqual(got.menu, ["help"]);
});

test("a fixed checker: every query form, and useMenu", { skip }, async () => {
  const { PermslipProvider, useCan, useExplain, useMenu, usePermslip, usePermslipState } = bindings;
  const checker = await load();
  const got = run((x) => h(PermslipProvider, { checker }, x), () => ({
    same: usePermslip() === checker,
    status: usePermslipState().status,
    perm: useCan("reports.view"),
    scoped: useCan("fax.send_from", "+15550100"),
    otherScope: useCan({ permission: "fax.send_from", scope: "+15550199" }),
    revoked: useExplain("billing.manage").reason,
    featureAction: useCan({ feature: "documents", action: "edit" }),
    featureLevel: useCan({ feature: "documents", level: "owner" }),
    featureDefault: useCan({ feature: "documents" }),
    resource: useCan({ resource: "doc-3", action: "delete" }),
    restricted: useCan({ resource: "doc-2", level: "reader" }),
    levelWhy: useExplain({ feature: "documents", level: "owner" }),
    menu: useMenu(sampleNav()).map((i) => i.id),
  }));
  assert.equal(got.same, true);
  assert.equal(got.status, "ready");
  assert.equal(got.perm, true);
  assert.equal(got.scoped, true);
  assert.equal(got.otherScope, false);
  assert.equal(got.revoked, "revoked");
  assert.equal(got.featureAction, true);
  assert.equal(got.featureLevel, false);
  assert.equal(got.featureDefault, true);
  assert.equal(got.resource, true);
  assert.equal(got.restricted, false);
  assert.equal(got.levelWhy.allowed, false);
  assert.equal(got.levelWhy.needed, "owner");
  assert.equal(got.levelWhy.level, "editor");
  assert.deepEqual(got.menu, checker.filterMenu(sampleNav()).map((i) => i.id));
});

test("<Can> renders children, a fallback node, or a fallback of the explanation", { skip }, async () => {
  const { PermslipProvider, Can } = bindings;
  const checker = await load();
  const html = renderToString(
    h(PermslipProvider, { checker }, [
      h(Can, { key: 1, permission: "reports.view" }, h("b", null, "yes")),
      h(Can, { key: 2, permission: "users.edit", fallback: h("i", null, "no") }, "hidden"),
      h(Can, { key: 3, permission: "billing.manage", fallback: (why) => `why:${why.reason}` }, "hidden"),
      h(Can, { key: 4, feature: "documents", action: "delete", fallback: (why) => `need:${why.needed}` }, "hidden"),
    ]),
  );
  assert.equal(html, "<b>yes</b><i>no</i>why:revoked<!-- -->need:owner");
});

test("a session: deny while loading, its checker once ready", { skip }, async () => {
  const { PermslipProvider, useCan, usePermslipState } = bindings;
  const token = await signWithJose(sampleClaims({}));
  const session = createSession({
    fetchSnapshot: async () => token,
    jwks: JWKS_JSON,
    audience: AUDIENCE,
    clock: { now: () => NOW_MS, setTimeout: () => 0, clearTimeout: () => {} },
  });
  const probe = () => ({ can: useCan("reports.view"), state: usePermslipState() });
  const wrap = (x) => h(PermslipProvider, { session }, x);
  const before = run(wrap, probe);
  assert.equal(before.can, false);
  assert.equal(before.state.status, "loading");
  await session.start();
  const after = run(wrap, probe);
  assert.equal(after.can, true);
  assert.equal(after.state.status, "ready");
  assert.equal(after.state.session, session);
  session.stop();
});

test("PermslipProvider needs exactly one of session and checker", { skip }, async () => {
  const { PermslipProvider } = bindings;
  const checker = await load();
  assert.throws(() => renderToString(h(PermslipProvider, null)), (e) => e.code === "invalid_argument");
  assert.throws(
    () => renderToString(h(PermslipProvider, { checker, session: { subscribe() {}, getState() {} } })),
    (e) => e.code === "invalid_argument",
  );
});
