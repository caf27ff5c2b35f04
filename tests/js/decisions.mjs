// The shared decision table, answered through the JS API exactly as tests/vectors.rs answers it
// natively. Runtime-neutral (no Node imports): the Node and Chromium suites both use it.

/**
 * Answers one case as a JSON-comparable value. `p` is a loaded Permslip, `nav` the example
 * model's navigation tree. Throws when two APIs that must agree (explain/can/handle) disagree.
 */
export function answer(p, nav, check, expect) {
  const s = (k) => (typeof check[k] === "string" ? check[k] : undefined);
  const agree = (a, b, what) => {
    if (a !== b) throw new Error(`${what} disagree on ${JSON.stringify(check)}: ${a} vs ${b}`);
  };
  if (s("can") !== undefined) {
    const e = p.explain({ permission: s("can"), scope: s("scope") });
    agree(e.allowed, p.can(s("can"), s("scope")), "explain and can");
    agree(e.allowed, p.check(p.handle(s("can"), s("scope"))), "handle and can");
    agree(e.allowed, p.checkMany(Uint32Array.of(p.handle(s("can"), s("scope"))))[0] === 1, "checkMany and can");
    return withMessage({ allow: e.allowed, reason: e.reason }, e, expect);
  }
  if (s("level") !== undefined) {
    const level = p.featureLevel(s("level"));
    agree(level !== null, p.visible(s("level")), "featureLevel and visible");
    return { level };
  }
  if (s("feature") !== undefined && s("action") !== undefined) {
    const e = p.explain({ feature: s("feature"), action: s("action") });
    agree(e.allowed, p.canFeature(s("feature"), s("action")), "explain and canFeature");
    const v = { allow: e.allowed, reason: e.reason };
    if (expect !== null && typeof expect === "object" && "needed" in expect) v.needed = e.needed ?? null;
    return withMessage(v, e, expect);
  }
  if (s("resource") !== undefined && s("action") !== undefined) {
    const e = p.explain({ resource: s("resource"), action: s("action") });
    agree(e.allowed, p.canResource(s("resource"), s("action")), "explain and canResource");
    return withMessage({ allow: e.allowed, reason: e.reason }, e, expect);
  }
  if (s("list") !== undefined && s("action") !== undefined) {
    return { ids: p.list(s("list"), s("action")) };
  }
  if (check.menu !== undefined) {
    return { visible: visibleIds(p.filterMenu(nav)) };
  }
  if (check.profile !== undefined) {
    const profile = p.profile();
    const roles = new Set(profile.roles.map((r) => `${r.role}\u0000${r.via}`));
    const teams = new Set(profile.teams.map((t) => t.id));
    const wantRoles = new Set(expect.roles.map((r) => `${r.role}\u0000${r.via}`));
    const wantTeams = new Set(expect.teams);
    // Sets compare regardless of order; report the real values on mismatch.
    return sameSet(roles, wantRoles) && sameSet(teams, wantTeams)
      ? expect
      : { roles: [...roles].map((r) => r.replace("\u0000", " via ")), teams: [...teams] };
  }
  throw new Error(`unknown check ${JSON.stringify(check)}`);
}

// The explanation's sentence, when the case pins one: the words every runtime must give.
function withMessage(v, e, expect) {
  if (expect !== null && typeof expect === "object" && "message" in expect) v.message = e.message;
  return v;
}

/** Item ids of a (filtered) tree in depth-first pre-order, as Rust's `visible_menu_ids`. */
export function visibleIds(tree) {
  const out = [];
  const walk = (items) => {
    for (const item of items) {
      out.push(item.id);
      if (Array.isArray(item.children)) walk(item.children);
    }
  };
  walk(tree);
  return out;
}

function sameSet(a, b) {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/** JSON with object keys sorted: equal values give equal strings (as serde_json `Value` ==). */
export function canonical(value) {
  return JSON.stringify(value, (_, v) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A time inside a token's validity window, in ms: its `nbf` (or `iat`) plus one second. */
export function timeInside(token) {
  const payload = token.split(".")[1];
  const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
  const claims = JSON.parse(json);
  return ((claims.nbf ?? claims.iat) + 1) * 1000;
}

/**
 * Runs every case. `snapshots` maps "example/user" to a token, `catalogues` maps an example to
 * its catalogue bundle (for examples whose slips name one), `models` maps an example to its
 * parsed model.json. Returns one result per case: `{ i, got, ok }`.
 */
export function runTable({ Permslip, KeySet, Catalogue }, fixtures, jwks, audience) {
  const { table, snapshots, catalogues = {}, models } = fixtures;
  const keys = KeySet.parse(jwks);
  const bundles = new Map();
  const checkers = new Map();
  return table.cases.map((c, i) => {
    const id = `${c.example}/${c.user}`;
    let p = checkers.get(id);
    if (p === undefined) {
      const token = snapshots[id];
      if (token === undefined) throw new Error(`no golden snapshot for ${id}`);
      let catalogue = bundles.get(c.example);
      if (catalogue === undefined && catalogues[c.example] !== undefined) {
        const bundle = catalogues[c.example];
        catalogue = Catalogue.load(bundle, { jwks: keys, audience, now: timeInside(bundle) });
        bundles.set(c.example, catalogue);
      }
      p = Permslip.load(token, { jwks: keys, audience, catalogue, now: timeInside(token) });
      checkers.set(id, p);
    }
    let got;
    try {
      got = answer(p, models[c.example].nav ?? [], c.check, c.expect);
    } catch (e) {
      got = { error: String(e && e.message ? e.message : e) };
    }
    return { i, got, ok: canonical(got) === canonical(c.expect) };
  });
}
