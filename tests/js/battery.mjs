// A battery of API calls over one snapshot whose answers must be identical in every runtime
// (Node, Chromium, workerd). Runtime-neutral: no Node imports.

/** Runs the battery; returns a JSON-able record of every answer and error code. */
export function battery({ Permslip, KeySet, PermslipError }, { token, jwks, audience, now, nav }) {
  const out = {};
  const codeOf = (fn) => {
    try {
      fn();
      return "no error";
    } catch (e) {
      return e instanceof PermslipError ? e.code : `not a PermslipError: ${e}`;
    }
  };
  const p = Permslip.load(token, { jwks: KeySet.parse(jwks), audience, now });
  out.meta = { subject: p.subject, issuer: p.issuer, serial: p.serial, expiresAt: p.expiresAt.toISOString(), levels: p.levels };
  const perms = [
    ["reports.view"],
    ["reports.export"],
    ["fax.send"],
    ["fax.send_from", "+15550100"],
    ["fax.send_from", "+15550199"],
    ["fax.ai_ocr"],
    ["connect.call"],
    ["billing.manage"],
    ["users.edit"],
    ["no.such"],
    ["é😀", "\u0000"],
  ];
  out.can = perms.map(([a, b]) => [p.can(a, b), p.check(p.handle(a, b)), p.explain({ permission: a, scope: b })]);
  out.handles = Array.from(p.checkMany(Uint32Array.from(perms.map(([a, b]) => p.handle(a, b)))));
  const features = ["documents", "calls", "checklists", "nope"];
  out.features = features.map((f) => [
    p.featureLevel(f),
    p.visible(f),
    ...["view", "edit", "delete", "fly"].map((a) => [p.canFeature(f, a), p.list(f, a), p.explain({ feature: f, action: a })]),
  ]);
  out.resources = ["doc-1", "doc-2", "doc-3", "call-1", "call-2", "call-3", "list-1", "ghost"].map((r) => [
    p.resourceLevel(r),
    ...["view", "edit", "delete"].map((a) => [p.canResource(r, a), p.explain({ resource: r, action: a })]),
  ]);
  out.menu = p.filterMenu(nav);
  out.menuAgain = p.filterMenu(nav);
  out.profile = p.profile();
  out.permissions = p.permissions();
  out.errors = {
    badToken: codeOf(() => Permslip.load("a.b.c", { jwks, audience, now })),
    badAudience: codeOf(() => Permslip.load(token, { jwks, audience: "other", now })),
    expired: codeOf(() => Permslip.load(token, { jwks, audience, now: now + 86_400_000 })),
    badKeys: codeOf(() => KeySet.parse("{")),
    badName: codeOf(() => p.can(null)),
    badMenu: codeOf(() => p.filterMenu([null])),
  };
  const clock = { ms: now };
  const later = Permslip.load(token, { jwks, audience, now: () => clock.ms });
  const before = later.can("reports.view");
  clock.ms = now + 86_400_000;
  out.expiry = [before, later.can("reports.view"), later.explain({ permission: "reports.view" }).reason];
  return out;
}
