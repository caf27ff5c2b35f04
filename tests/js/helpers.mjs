// Shared by the Node suites: repository paths, the published test keys, the golden snapshots,
// and signing with the npm `jose` library.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHash, createPrivateKey, sign as edSign } from "node:crypto";
import { CompactSign, importJWK } from "jose";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const AUDIENCE = "permslip-demo";
export const read = (...p) => readFileSync(join(ROOT, ...p), "utf8");
export const readJson = (...p) => JSON.parse(read(...p));

export const JWKS_JSON = read("tests", "keys", "test-jwks.json");
export const PRIVATE_JWK = readJson("tests", "keys", "test-private.jwk.json");
export const PRIVATE_JWK_2 = readJson("tests", "keys", "test-2-private.jwk.json");

/** Where the golden snapshots live (PERMSLIP_GOLDEN_DIR overrides, for local experiments). */
export const GOLDEN_DIR = process.env.PERMSLIP_GOLDEN_DIR ?? join(ROOT, "tests", "golden");

/**
 * The decision table and everything it runs against, or `{ skip: reason }` when the golden
 * snapshots have not been generated yet.
 */
export function decisionFixtures() {
  const tablePath = join(ROOT, "tests", "vectors", "decisions.json");
  if (!existsSync(tablePath)) return { skip: "tests/vectors/decisions.json is missing" };
  const table = JSON.parse(readFileSync(tablePath, "utf8"));
  const snapshots = {};
  const catalogues = {};
  const models = {};
  const missing = [];
  for (const c of table.cases) {
    const id = `${c.example}/${c.user}`;
    if (!(c.example in models)) {
      models[c.example] = readJson("examples", c.example, "model.json");
      const bundle = join(GOLDEN_DIR, c.example, "catalogue.jwt");
      if (existsSync(bundle)) catalogues[c.example] = readFileSync(bundle, "utf8").trim();
    }
    if (id in snapshots) continue;
    const file = join(GOLDEN_DIR, c.example, `${c.user}.jwt`);
    if (existsSync(file)) snapshots[id] = readFileSync(file, "utf8").trim();
    else missing.push(id);
  }
  if (missing.length > 0) {
    return {
      skip: `golden snapshots missing in ${GOLDEN_DIR} (${missing.length}, e.g. ${missing[0]}.jwt): generate them first`,
    };
  }
  return { table, snapshots, catalogues, models };
}

/** Every golden token file, for suites that only need a few valid snapshots. */
export function goldenFiles() {
  if (!existsSync(GOLDEN_DIR)) return [];
  return readdirSync(GOLDEN_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(GOLDEN_DIR, d.name))
        .filter((f) => f.endsWith(".jwt") && f !== "catalogue.jwt")
        .map((f) => join(GOLDEN_DIR, d.name, f)),
    );
}

const enc = new TextEncoder();

/**
 * Signs `payload` (an object, or a string used verbatim) with EdDSA using `jose`.
 * `header` is merged over `{ alg: "EdDSA", kid, typ: "permslip+jwt" }`.
 */
export async function signWithJose(payload, { jwk = PRIVATE_JWK, header = {} } = {}) {
  const key = await importJWK(jwk, "EdDSA");
  const bytes = enc.encode(typeof payload === "string" ? payload : JSON.stringify(payload));
  return new CompactSign(bytes)
    .setProtectedHeader({ alg: "EdDSA", kid: jwk.kid, typ: "permslip+jwt", ...header })
    .sign(key);
}

/**
 * Signs any header and payload text with node:crypto, for headers `jose` refuses to produce
 * (such as `crit`).
 */
export function signRaw(header, payload, jwk = PRIVATE_JWK) {
  const key = createPrivateKey({ key: jwk, format: "jwk" });
  const input = `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(payload).toString("base64url")}`;
  return `${input}.${edSign(null, Buffer.from(input), key).toString("base64url")}`;
}

export const NOW_S = 1_800_000_000; // a fixed "now" for hand-made tokens, in Unix seconds
export const NOW_MS = NOW_S * 1000;

/**
 * A slip written by hand (the `slip` claim, see schema/slip.schema.json and src/slip.rs): one of
 * everything the engine reads.
 */
export function sampleSlip(user = "ada") {
  return {
    v: 1,
    catalogue: {
      model: "Demo",
      products: ["fax", "connect"],
      levels: ["reader", "editor", "owner"],
      actions: { view: "reader", edit: "editor", delete: "owner" },
      permissions: [
        { id: "reports.view" },
        { id: "reports.export", implies: ["reports.view"] },
        { id: "fax.send", product: "fax" },
        { id: "fax.send_from", product: "fax" },
        { id: "fax.ai_ocr", product: "fax", explicit: true },
        { id: "connect.call", product: "connect" },
        { id: "users.edit" },
        { id: "billing.manage" },
      ],
      roles: [
        { id: "admin", name: "Administrator", admin: true },
        {
          id: "member",
          name: "Member",
          grants: [
            "reports.export",
            "connect.call",
            { permission: "fax.send_from", scope: ["+15550100"] },
          ],
          levels: { documents: "editor" },
        },
        { id: "clerk", name: "Billing clerk", grants: ["billing.manage", "reports.*"] },
      ],
      features: [
        { id: "documents" },
        { id: "calls", rows: "own_and_managed" },
        { id: "checklists", rows: "assigned", actions: { edit: "owner" } },
      ],
    },
    products: { fax: true, connect: false },
    user: {
      id: user,
      name: "Ada",
      roles: ["member"],
      manages: ["bob"],
      grants: ["fax.send"],
      revokes: ["billing.manage"],
      levels: { calls: "reader" },
    },
    teams: [{ id: "billing", name: "Billing", roles: ["clerk"] }],
    resources: [
      { id: "doc-1", feature: "documents" },
      { id: "doc-2", feature: "documents", restricted: true },
      { id: "doc-3", feature: "documents", restricted: true, grants: [{ level: "owner", via: "user" }] },
      { id: "call-1", feature: "calls", owner: user },
      { id: "call-2", feature: "calls", owner: "bob" },
      { id: "call-3", feature: "calls", owner: "carol" },
      { id: "list-1", feature: "checklists", grants: [{ level: "editor", via: "team:billing" }] },
    ],
  };
}

/** Claims around a slip: iss/aud/sub/iat/nbf/exp/serial/psv=1/slip. */
export function sampleClaims(overrides = {}) {
  const sub = overrides.sub ?? "ada";
  return {
    iss: "https://auth.example.test",
    sub,
    aud: AUDIENCE,
    iat: NOW_S - 10,
    nbf: NOW_S - 10,
    exp: NOW_S + 600,
    serial: 7,
    psv: 1,
    slip: sampleSlip(sub),
    ...overrides,
  };
}

/**
 * A catalogue bundle signed with `jose` (typ `permslip-catalogue+jwt`) and the `catalogue_hash`
 * slips must name: the base64url SHA-256 of the bundle's payload segment, exactly as signed.
 */
export async function signCatalogueWithJose(catalogue, { jwk = PRIVATE_JWK, claims = {}, header = {} } = {}) {
  const payload = { iss: "https://auth.example.test", aud: AUDIENCE, iat: NOW_S - 10, psv: 1, catalogue, ...claims };
  const token = await signWithJose(payload, { jwk, header: { typ: "permslip-catalogue+jwt", ...header } });
  const hash = createHash("sha256").update(token.split(".")[1]).digest("base64url");
  return { token, hash };
}

/** A sample navigation tree over the sample slip. */
export function sampleNav() {
  return [
    {
      id: "reports",
      label: "Reports",
      children: [
        { id: "reports/view", requires: { permission: "reports.view" } },
        { id: "reports/export", requires: { permission: "reports.export" } },
      ],
    },
    {
      id: "fax",
      requires: { permission: "fax.send" },
      children: [
        { id: "fax/send", requires: { permission: "fax.send" } },
        { id: "fax/from-main", requires: { permission: "fax.send_from", scope: "+15550100" } },
        { id: "fax/from-other", requires: { permission: "fax.send_from", scope: "+15550199" } },
        { id: "fax/ocr", requires: { permission: "fax.ai_ocr" } },
      ],
    },
    { id: "connect", children: [{ id: "connect/call", requires: { permission: "connect.call" } }] },
    { id: "docs", requires: { feature: "documents" }, href: "/docs" },
    { id: "docs-admin", requires: { feature: "documents", level: "owner" } },
    { id: "help" },
  ];
}

/**
 * The malformed-menu battery both entries must pass: `invalid_menu` for trees that are not
 * trees, `limit_exceeded` for too deep, cyclic or too wide ones, and a checker that still works
 * afterwards. `code(fn)` returns the PermslipError code `fn` throws; `granted` is a permission
 * the checker holds.
 */
export function assertMenuRefusals(p, code, granted) {
  for (const bad of [null, undefined, "menu", 5, { id: "a" }]) {
    assert.equal(code(() => p.filterMenu(bad)), "invalid_menu");
  }
  for (const bad of [
    [null],
    [5],
    ["a"],
    [[]],
    [{ id: "a", children: "b" }],
    [{ id: "a", children: {} }],
    [{ id: "a", requires: 5 }],
    [{ id: "a", requires: granted }],
    [{ id: "a", requires: {} }],
    [{ id: "a", requires: { permission: 5 } }],
    [{ id: "a", requires: { permission: "x", scope: 5 } }],
    [{ id: "a", requires: { feature: "documents", level: {} } }],
    [{ id: "g", children: [{ id: "a", requires: { nope: true } }] }],
  ]) {
    assert.equal(code(() => p.filterMenu(bad)), "invalid_menu", JSON.stringify(bad));
  }
  let deep = { id: "leaf" };
  for (let i = 0; i < 40; i++) deep = { id: `g${i}`, children: [deep] };
  assert.equal(code(() => p.filterMenu([deep])), "limit_exceeded");
  const cyclic = { id: "c", children: [] };
  cyclic.children.push(cyclic);
  assert.equal(code(() => p.filterMenu([cyclic])), "limit_exceeded");
  const wide = Array.from({ length: 5000 }, (_, i) => ({ id: `i${i}` }));
  assert.equal(code(() => p.filterMenu(wide)), "limit_exceeded");
  assert.equal(p.filterMenu(wide.slice(0, 4096)).length, 4096);
  assert.deepEqual(p.filterMenu([]), []);
  assert.equal(p.can(granted), true, "still works");
}

/**
 * The option battery both entries must pass: missing or ill-typed options are `invalid_argument`,
 * an unusable `jwks` is `invalid_key_set`. `load(token, extra)` loads with valid options plus
 * `extra`; `code(fn)` returns the PermslipError code `fn` throws.
 */
export function assertBadOptions(Permslip, load, token, code) {
  assert.equal(code(() => Permslip.load(token)), "invalid_argument");
  assert.equal(code(() => Permslip.load(token, null)), "invalid_argument");
  assert.equal(code(() => Permslip.load(token, { jwks: JWKS_JSON })), "invalid_argument");
  assert.equal(code(() => Permslip.load(token, { audience: AUDIENCE })), "invalid_argument");
  assert.equal(code(() => load(token, { audience: 7 })), "invalid_argument");
  assert.equal(code(() => load(token, { audience: "" })), "invalid_argument");
  for (const [k, v] of [
    ["leeway", -1],
    ["leeway", 1.5],
    ["leeway", "60"],
    ["leeway", Infinity],
    ["minSerial", NaN],
    ["minSerial", 2 ** 60],
    ["maxTokenBytes", -5],
    ["issuer", 5],
    ["subject", {}],
    ["now", "yesterday"],
    ["now", NaN],
    ["now", Infinity],
  ]) {
    assert.equal(code(() => load(token, { [k]: v })), "invalid_argument", `${k}: ${String(v)}`);
  }
  assert.equal(code(() => load(token, { now: () => "later" })), "invalid_argument");
  assert.equal(code(() => load(token, { jwks: 5 })), "invalid_key_set");
  assert.equal(code(() => load(token, { jwks: "x".repeat(1_000_000) })), "invalid_key_set");
}
