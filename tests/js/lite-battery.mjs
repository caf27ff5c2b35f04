// The lite battery: every answer `permslip/lite` gives for the example users' lite tokens, its
// error codes, expiry with a test clock, free(), concurrent loads and the decision table, as one
// JSON record that must be identical in every runtime (Node computes the reference; Chromium and
// workerd replay it). Runtime-neutral: no Node imports. Fixtures: tests/js/lite-fixtures.mjs.
import { answer, canonical, visibleIds } from "./decisions.mjs";

/**
 * Runs the battery with `lite` (the `permslip/lite` module) over `f` (liteFixtures()).
 * Resolves to `{ record, platform }`: `record` is plain JSON and must be identical everywhere;
 * `platform` is what legitimately differs by runtime (which Ed25519 verified, whether the
 * synchronous `load` has one).
 */
export async function liteBattery(lite, f) {
  const { Permslip, KeySet, PermslipError, HANDLE_DENY } = lite;
  const verifiedBy = new Set();
  const live = []; // every checker loaded, freed at the end (workerd has no FinalizationRegistry)
  const keys = KeySet.parse(f.jwks);
  const opts = (extra = {}) => ({ jwks: keys, audience: f.audience, now: f.now, ...extra });
  const load = async (token, extra) => {
    const p = await Permslip.loadAsync(token, opts(extra));
    verifiedBy.add(p.verifiedBy);
    live.push(p);
    return p;
  };
  // The error's code and message ("no error" when none); the code alone where the message
  // comes from the JS engine (JSON.parse's wording differs between V8 versions).
  const error = async (fn, codeOnly = false) => {
    try {
      const p = await fn();
      if (p instanceof Permslip) {
        verifiedBy.add(p.verifiedBy);
        live.push(p);
      }
      return "no error";
    } catch (e) {
      if (!(e instanceof PermslipError)) return `not a PermslipError: ${e}`;
      return codeOnly ? e.code : [e.code, e.message];
    }
  };
  const loadError = (token, extra, codeOnly) => error(() => Permslip.loadAsync(token, opts(extra)), codeOnly);

  const record = {};

  // ---- Every answer for every example user ----
  const checkers = {}; // "example/user" -> checker
  record.users = {};
  for (const [example, { model, directory, tokens }] of Object.entries(f.examples)) {
    const q = queries(model, directory);
    for (const [user, token] of Object.entries(tokens)) {
      const p = await load(token);
      checkers[`${example}/${user}`] = p;
      record.users[`${example}/${user}`] = answers(p, q, HANDLE_DENY);
    }
  }

  // ---- The decision table (profile cases excepted: lite has no profile()) ----
  const models = Object.fromEntries(Object.entries(f.examples).map(([e, x]) => [e, x.model]));
  record.table = [];
  for (const [i, c] of f.table.cases.entries()) {
    if (c.check.profile !== undefined) continue;
    const p = checkers[`${c.example}/${c.user}`];
    let got;
    try {
      if (!p) throw new Error(`no lite token for ${c.example}/${c.user}`);
      got = answer(p, models[c.example].nav ?? [], c.check, c.expect);
    } catch (e) {
      got = { error: String(e && e.message ? e.message : e) };
    }
    record.table.push({ i, got, ok: canonical(got) === canonical(c.expect) });
  }

  // ---- Load errors ----
  const good = f.examples.ampliflow.tokens.member;
  const [h, pl, s] = good.split(".");
  const flip = (part, at = 10) => part.slice(0, at) + (part[at] === "A" ? "B" : "A") + part.slice(at + 1);
  const v = f.variants;
  const exp = f.exp;
  const onlyTest2 = JSON.stringify({ keys: JSON.parse(f.jwks).keys.filter((k) => k.kid === "test-2") });
  const weak = JSON.stringify({ keys: [...JSON.parse(f.jwks).keys, { kty: "OKP", crv: "Ed25519", kid: "weak", x: "A".repeat(43) }] });
  const loads = {
    good: [good],
    tamperedPayload: [`${h}.${flip(pl)}.${s}`],
    tamperedSignature: [`${h}.${pl}.${flip(s)}`],
    tamperedHeader: [`${flip(h, 5)}.${pl}.${s}`],
    signatureNotCanonical: [v.signatureNotCanonical],
    signatureBadBase64: [`${h}.${pl}.${s.slice(0, -3)}!!!`],
    signaturePadded: [`${good}=`],
    signatureSpace: [`${good} `],
    twoParts: [`${h}.${pl}`],
    fourParts: [`${good}.x`],
    otherKid: [v.otherKid],
    unknownKid: [v.unknownKid],
    kidNotInKeySet: [good, { jwks: onlyTest2 }],
    otherKey: [v.otherKey],
    quoteInKid: [v.quoteInKid],
    hs256: [v.hs256],
    notLitePayload: [v.notLitePayload],
    cutShort: [v.cutShort],
    trailingByte: [v.trailingByte],
    ...(v.fullToken ? { fullToken: [v.fullToken] } : {}),
    wrongAudience: [good, { audience: "other-app" }],
    rightIssuerAndSubject: [good, { issuer: f.issuer, subject: "member" }],
    wrongIssuer: [good, { issuer: "someone-else" }],
    wrongSubject: [good, { subject: "eve" }],
    rollback: [good, { minSerial: 2 }],
    minSerialEqual: [good, { minSerial: 1 }],
    expired: [good, { now: (exp + 60) * 1000 }],
    expiredLeewayZero: [good, { now: exp * 1000, leeway: 0 }],
    insideLeeway: [good, { now: (exp + 59) * 1000 + 999 }],
    notYetValid: [good, { now: (f.issuedAt - 61) * 1000 }],
    insideLeewayBefore: [good, { now: (f.issuedAt - 60) * 1000 }],
    nowAsDate: [good, { now: new Date(f.now) }],
    nowAsDateFunction: [good, { now: () => new Date(f.now) }],
    tooLarge: [good, { maxTokenBytes: 100 }],
    exactlyMaxBytes: [good, { maxTokenBytes: good.length }],
    tooLargeInUtf8: ["é".repeat(60), { maxTokenBytes: 100 }],
    huge: ["x".repeat(100_000)],
    empty: [""],
    dots: [".."],
    abc: ["a.b.c"],
    nulChars: ["\u0000.\u0000.\u0000"],
    unicode: ["é.😀.\ud800"],
    notAString: [42],
    nullToken: [null],
    objectToken: [{}],
    jwksString: [good, { jwks: f.jwks }],
    jwksObject: [good, { jwks: JSON.parse(f.jwks) }],
    jwksNumber: [good, { jwks: 5 }],
    jwksWeakKey: [good, { jwks: weak }],
    jwksMissing: [good, { jwks: undefined }],
    noAudience: [good, { audience: undefined }],
    emptyAudience: [good, { audience: "" }],
    leewayNegative: [good, { leeway: -1 }],
    leewayFraction: [good, { leeway: 1.5 }],
    minSerialNaN: [good, { minSerial: NaN }],
    issuerNumber: [good, { issuer: 5 }],
    nowString: [good, { now: "yesterday" }],
    nowInfinite: [good, { now: Infinity }],
    nowFunctionString: [good, { now: () => "later" }],
  };
  record.loads = {};
  for (const [name, [token, extra]] of Object.entries(loads)) {
    record.loads[name] = await loadError(token, extra, name === "jwksNumber");
  }
  // Successful loads: who was loaded.
  const accepted = await Promise.all([v.otherKid, good].map((t) => load(t)));
  record.accepted = accepted.map((p) => [p.subject, p.issuer, p.serial, p.expiresAt.toISOString(), p.can("profile.view")]);
  record.noOptions = await error(() => Permslip.loadAsync(good));
  record.nullOptions = await error(() => Permslip.loadAsync(good, null));
  record.keySets = {
    notJson: await error(() => KeySet.parse("{"), true),
    noKeys: await error(() => KeySet.parse({ keys: [] })),
    privateKey: await error(() => KeySet.parse({ keys: [{ ...JSON.parse(f.jwks).keys[0], d: "x" }] })),
    duplicate: await error(() => KeySet.parse({ keys: [JSON.parse(f.jwks).keys[0], JSON.parse(f.jwks).keys[0]] })),
    badX: await error(() => KeySet.parse({ keys: [{ ...JSON.parse(f.jwks).keys[0], x: "short" }] })),
    weak: await error(() => KeySet.parse(weak)),
    kids: KeySet.parse(f.jwks).kids,
  };

  // ---- Argument errors on a loaded checker ----
  const p = checkers["ampliflow/member"];
  let deep = { id: "leaf" };
  for (let i = 0; i < 40; i++) deep = { id: `g${i}`, children: [deep] };
  record.arguments = {};
  for (const [name, fn] of Object.entries({
    canNull: () => p.can(null),
    canScopeNumber: () => p.can("profile.view", 5),
    handleObject: () => p.handle({}),
    featureHandleLevelNumber: () => p.featureHandle("documents", 3),
    checkNegative: () => p.check(-1),
    checkFraction: () => p.check(1.5),
    checkManyArray: () => p.checkMany([1, 2]),
    featureLevelNull: () => p.featureLevel(null),
    canFeatureNoAction: () => p.canFeature("documents"),
    listNoAction: () => p.list("documents"),
    explainNull: () => p.explain(null),
    explainEmpty: () => p.explain({}),
    explainFeatureNoAction: () => p.explain({ feature: "documents" }),
    filterMenuNotArray: () => p.filterMenu({}),
    filterMenuNull: () => p.filterMenu([null]),
    filterMenuBadRequires: () => p.filterMenu([{ id: "a", requires: { nope: true } }]),
    filterMenuBadChildren: () => p.filterMenu([{ id: "a", children: 5 }]),
    filterMenuDeep: () => p.filterMenu([deep]),
    filterMenuWide: () => p.filterMenu(Array.from({ length: 5000 }, (_, i) => ({ id: `i${i}` }))),
    denyAllNope: () => Permslip.denyAll("nope"),
  })) {
    record.arguments[name] = await error(fn);
  }
  // Huge and odd names deny (cut to the token's length inside the wrapper).
  record.oddNames = ["x".repeat(100_000), "profile.view".padEnd(50_000, "."), "é😀", "\u0000", "\ud800"].map((n) => [
    p.can(n),
    p.handle(n) === HANDLE_DENY,
    p.can("profile.view", n),
    p.featureLevel(n),
    p.canFeature("documents", n),
    p.list(n, "view"),
    p.explain({ permission: n }).reason,
    p.explain({ feature: "documents", action: n }).reason,
  ]);

  // ---- denyAll ----
  record.denyAll = ["invalid", "expired"].map((reason) => {
    const d = Permslip.denyAll(reason);
    const out = [
      d.can("profile.view"),
      d.handle("profile.view") === HANDLE_DENY,
      d.featureHandle("documents", "reader") === HANDLE_DENY,
      d.check(HANDLE_DENY),
      Array.from(d.checkMany(Uint32Array.of(0, 1, HANDLE_DENY))),
      d.featureLevel("documents"),
      d.list("documents", "view"),
      d.filterMenu([{ id: "a", requires: { permission: "profile.view" } }, { id: "b" }]),
      d.explain({ permission: "profile.view" }),
      d.explain({ feature: "documents", action: "view" }),
      d.explain({ resource: "call-1", action: "view" }),
      d.expired,
      d.verifiedBy,
      d.levels,
      d.subject,
    ];
    d.free();
    return out;
  });

  // ---- Expiry with a clock function: allow until exp + leeway, then deny, for good ----
  {
    const start = f.now;
    const shortExp = f.issuedAt + 100;
    const clock = { ms: start };
    const q = await load(f.short, { now: () => clock.ms, leeway: 5 });
    const h = q.handle("profile.view");
    const nav = f.examples.ampliflow.model.nav;
    const state = () => [
      q.expired,
      q.can("profile.view"),
      q.check(h),
      Array.from(q.checkMany(Uint32Array.of(h, h, HANDLE_DENY))),
      q.handle("profile.view") === h,
      q.featureLevel("documents"),
      q.visible("documents"),
      q.canFeature("documents", "view"),
      q.resourceLevel("call-1"),
      q.canResource("call-1", "view"),
      q.list("documents", "view"),
      visibleIds(q.filterMenu(nav)),
      q.explain({ permission: "profile.view" }),
      q.explain({ feature: "documents", action: "view" }),
      q.explain({ resource: "call-1", action: "view" }),
    ];
    const expiry = { meta: [q.subject, q.serial, q.expiresAt.toISOString()], states: [] };
    for (const ms of [start, (shortExp + 4) * 1000 + 999, (shortExp + 5) * 1000, start]) {
      clock.ms = ms;
      expiry.states.push([ms, state()]);
    }
    // A clock that returns a Date; one that stops returning a number throws at the next check.
    const dateClock = { at: new Date(start) };
    const d = await load(f.short, { now: () => dateClock.at });
    const before = d.can("profile.view");
    dateClock.at = new Date((shortExp + 60) * 1000);
    expiry.dateClock = [before, d.can("profile.view"), d.expired];
    const badClock = { v: start };
    const b = await load(f.short, { now: () => badClock.v });
    badClock.v = "later";
    expiry.badClock = [await error(() => b.can("profile.view"))];
    record.expiry = expiry;
  }

  // ---- free(): then every use throws `freed`; other checkers of the shared instance are unharmed ----
  {
    const a = await load(good);
    const b = await load(good);
    const reference = answers(b, queries(f.examples.ampliflow.model, f.examples.ampliflow.directory), HANDLE_DENY);
    a.free();
    const freed = {};
    for (const [name, fn] of Object.entries({
      can: () => a.can("profile.view"),
      check: () => a.check(0),
      checkMany: () => a.checkMany(Uint32Array.of(0)),
      handle: () => a.handle("profile.view"),
      featureHandle: () => a.featureHandle("documents"),
      resourceHandle: () => a.resourceHandle("call-1"),
      featureLevel: () => a.featureLevel("documents"),
      resourceLevel: () => a.resourceLevel("call-1"),
      visible: () => a.visible("documents"),
      canFeature: () => a.canFeature("documents", "view"),
      canResource: () => a.canResource("call-1", "view"),
      list: () => a.list("documents", "view"),
      explain: () => a.explain({ permission: "profile.view" }),
      filterMenu: () => a.filterMenu([]),
      expired: () => a.expired,
      freeAgain: () => a.free(),
    })) {
      freed[name] = await error(fn);
    }
    freed.meta = [a.subject, a.issuer, a.serial, a.levels, a.expiresAt.toISOString(), a.verifiedBy != null];
    // A checker loaded after the free reuses the freed block; neither it nor `b` changes.
    const c = await load(good);
    const q = queries(f.examples.ampliflow.model, f.examples.ampliflow.directory);
    freed.siblingUnchanged = JSON.stringify(answers(b, q, HANDLE_DENY)) === JSON.stringify(reference);
    freed.reloadSame = JSON.stringify(answers(c, q, HANDLE_DENY)) === JSON.stringify(reference);
    record.free = freed;
  }

  // ---- Concurrent loads (the module's load buffer is shared while the platform verifies) ----
  {
    const all = Object.entries(f.examples).flatMap(([example, { tokens }]) => Object.entries(tokens).map(([user, token]) => [example, user, token]));
    const tampered = `${h}.${flip(pl)}.${s}`;
    const results = await Promise.all(
      all.flatMap(([, , token]) => [
        load(token),
        Permslip.loadAsync(tampered, opts()).then(() => "no error", (e) => e.code),
        Permslip.loadAsync(token, opts({ minSerial: 9 })).then(() => "no error", (e) => e.code),
      ]),
    );
    const concurrent = [];
    for (const [i, [example, user]] of all.entries()) {
      const [checker, bad, old] = results.slice(3 * i, 3 * i + 3);
      const q = queries(f.examples[example].model, f.examples[example].directory);
      const same = JSON.stringify(answers(checker, q, HANDLE_DENY)) === JSON.stringify(record.users[`${example}/${user}`]);
      concurrent.push([`${example}/${user}`, checker.subject, same, bad, old]);
    }
    record.concurrent = concurrent;
  }

  // The synchronous load: `platform_unavailable` where the runtime has no synchronous Ed25519.
  const syncLoad = await error(() => Permslip.load(good, opts()));
  for (const c of live) c.free();
  return {
    record: JSON.parse(JSON.stringify(record)),
    platform: { verifiedBy: [...verifiedBy].sort(), syncLoad: typeof syncLoad == "string" ? syncLoad : syncLoad[0] },
  };
}

/** Every string under a `scope` key of the documents (scope values, and scope type names). */
export function scopeValues(...docs) {
  const out = new Set();
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "scope") [x].flat().filter((s) => typeof s === "string").forEach((s) => out.add(s));
        walk(x);
      }
    }
  };
  docs.forEach(walk);
  return [...out];
}

/** What the battery asks of every user of an example: its names, plus unknown ones. */
export function queries(model, directory) {
  const permissions = [...model.permissions.map((p) => p.id), "no.such.permission", "", "é😀"];
  const scopes = [...scopeValues(model, directory), "no-such-value", "", "\u0000"];
  const features = [...(model.features ?? []).map((f) => f.id), "no-such-feature", ""];
  const actions = [
    ...new Set([...Object.keys(model.actions ?? {}), ...(model.features ?? []).flatMap((f) => Object.keys(f.actions ?? {})), "view", "no-such-action", ""]),
  ];
  const resources = [...(directory.resources ?? []).map((r) => r.id), "no-such-resource", ""];
  const levels = [...(model.levels ?? []), "no-such-level", ""];
  const nav = [...(model.nav ?? []), ...syntheticNav(permissions, scopes, features, levels)];
  return { permissions, scopes, features, actions, resources, levels, nav };
}

// A navigation tree over every name: a leaf per permission, per permission and scope value,
// per feature and level; groups with and without their own requirement.
function syntheticNav(permissions, scopes, features, levels) {
  const leaf = (id, requires) => ({ id, label: id, requires });
  return [
    { id: "syn/permissions", children: permissions.map((p) => leaf(`syn/p/${p}`, { permission: p })) },
    {
      id: "syn/scoped",
      requires: { permission: permissions[0] },
      children: permissions.flatMap((p) => scopes.slice(0, 3).map((s) => leaf(`syn/ps/${p}/${s}`, { permission: p, scope: s }))),
    },
    {
      id: "syn/features",
      children: features.flatMap((f) => [leaf(`syn/f/${f}`, { feature: f }), ...levels.map((l) => leaf(`syn/fl/${f}/${l}`, { feature: f, level: l }))]),
    },
    { id: "syn/hidden", children: [leaf("syn/hidden/x", { permission: "no.such.permission" })] },
    { id: "syn/both", requires: { permission: "x", feature: "y" }, children: [{ id: "syn/both/open" }] },
    { id: "syn/empty", children: [] },
    { id: "syn/open" },
  ];
}

/** Every answer of a checker for `q` (queries()), as plain JSON. */
export function answers(p, q, HANDLE_DENY) {
  const handles = [];
  const handle = (h) => (handles.push(h), h === HANDLE_DENY ? "deny" : h);
  const out = {
    meta: [p.subject, p.issuer, p.serial, p.expiresAt.toISOString(), p.levels, p.expired],
    permissions: q.permissions.map((perm) => [
      perm,
      q.scopes.length,
      [undefined, null, ...q.scopes].map((scope) => {
        const h = p.handle(perm, scope);
        return [p.can(perm, scope), handle(h), p.check(h), p.explain({ permission: perm, scope })];
      }),
    ]),
    features: q.features.map((feature) => [
      feature,
      p.featureLevel(feature),
      p.visible(feature),
      [undefined, null, ...q.levels].map((level) => {
        const h = p.featureHandle(feature, level);
        return [handle(h), p.check(h)];
      }),
      q.actions.map((action) => [p.canFeature(feature, action), p.list(feature, action), p.explain({ feature, action })]),
    ]),
    resources: q.resources.map((resource) => [
      resource,
      p.resourceLevel(resource),
      [undefined, null, ...q.levels].map((level) => {
        const h = p.resourceHandle(resource, level);
        return [handle(h), p.check(h)];
      }),
      q.actions.map((action) => [p.canResource(resource, action), p.explain({ resource, action })]),
    ]),
  };
  const menu = p.filterMenu(q.nav);
  out.menu = menu;
  out.menuIds = visibleIds(menu);
  out.menuAgain = JSON.stringify(p.filterMenu(q.nav)) === JSON.stringify(menu);
  out.menuUnchanged = q.nav.map((item, i) => menu.includes(item) && i);
  handles.push(HANDLE_DENY, 0, 1, 2 ** 31, 0xfffffffe);
  out.checkMany = Array.from(p.checkMany(Uint32Array.from(handles)));
  out.checkEach = handles.map((h) => p.check(h));
  return out;
}

/** Paths where two JSON values differ (at most `limit`), for readable failures. */
export function differences(a, b, limit = 20, path = "$", out = []) {
  if (out.length >= limit) return out;
  if (a === b) return out;
  const kind = (x) => (Array.isArray(x) ? "array" : x === null ? "null" : typeof x);
  if (kind(a) !== kind(b) || (kind(a) !== "array" && kind(a) !== "object")) {
    out.push(`${path}: ${JSON.stringify(a)?.slice(0, 300)} vs ${JSON.stringify(b)?.slice(0, 300)}`);
    return out;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) differences(a[k], b[k], limit, Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`, out);
  return out;
}

/**
 * What every runtime's record must satisfy whatever the reference says: the decision table as
 * expected, concurrent loads and freed neighbours unchanged, freed checkers refusing. As
 * messages, [] when none fails.
 */
export function invariants(record) {
  const out = [];
  const table = record.table ?? [];
  if (table.length < 200) out.push(`only ${table.length} decision cases ran`);
  for (const r of table) if (!r.ok) out.push(`decision case #${r.i}: got ${JSON.stringify(r.got)}`);
  for (const [id, subject, same, bad, old] of record.concurrent ?? []) {
    if (!id.endsWith(`/${subject}`) || !same || bad !== "bad_signature" || old !== "rollback") {
      out.push(`concurrent load of ${id}: ${JSON.stringify([subject, same, bad, old])}`);
    }
  }
  const { siblingUnchanged, reloadSame, freeAgain, meta, ...uses } = record.free ?? {};
  if (siblingUnchanged !== true || reloadSame !== true) out.push("a free() disturbed another checker");
  if (freeAgain !== "no error") out.push(`a second free(): ${JSON.stringify(freeAgain)}`);
  for (const [name, got] of Object.entries(uses)) if (got?.[0] !== "freed") out.push(`${name} after free(): ${JSON.stringify(got)}`);
  if (Object.keys(record.users ?? {}).length < 14) out.push(`only ${Object.keys(record.users ?? {}).length} users`);
  return out;
}
