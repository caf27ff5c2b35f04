// Unit tests of `permslip/edge` in Node: route-table validation, matching, token extraction,
// responses, the headers handed to the origin, and the cache of verified tokens.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Catalogue, KeySet, PermslipError } from "../../pkg/src/node.js";
import { compileRoutes, createGate, RouteTableError } from "../../pkg/src/edge.js";
import {
  AMPLIFLOW_ROUTES,
  AUDIENCE,
  CATALOGUE,
  EXAMPLE_ROUTES,
  golden,
  JWKS_JSON,
  median,
  resign,
  sign,
  claimsOf,
  tamperPayload,
  tamperSignature,
} from "./helpers.mjs";

const T0 = 1_900_000_000; // a fixed "now" (Unix seconds) for re-signed tokens
const amplify = (options = {}) =>
  createGate({ routes: EXAMPLE_ROUTES, jwks: JWKS_JSON, audience: AUDIENCE, catalogue: CATALOGUE, ...options });
const ampliflow = (options = {}) => createGate({ routes: AMPLIFLOW_ROUTES, jwks: JWKS_JSON, audience: AUDIENCE, ...options });

function req(method, path, { token, cookie, headers = {}, body } = {}) {
  const h = new Headers(headers);
  if (token !== undefined) h.set("authorization", `Bearer ${token}`);
  if (cookie !== undefined) h.set("cookie", cookie);
  return new Request(`https://app.example.test${path}`, { method, headers: h, body });
}

async function body(result) {
  assert.equal(result.allowed, false, "expected a refusal");
  return result.response.json();
}

/** The error list of a table that must not compile. */
function problems(table) {
  try {
    compileRoutes(table);
  } catch (e) {
    assert.ok(e instanceof RouteTableError, `expected RouteTableError, got ${e}`);
    assert.equal(e.code, "invalid_route_table");
    assert.ok(!e.message.includes("\n"), "messages stay on one line");
    return e.errors;
  }
  assert.fail("the table compiled");
}

const route = (over = {}) => ({ method: "GET", path: "/a", requires: { public: true }, ...over });

describe("route table validation", () => {
  test("the example tables compile", () => {
    assert.equal(compileRoutes(EXAMPLE_ROUTES).routes.length, EXAMPLE_ROUTES.routes.length);
    assert.equal(compileRoutes(JSON.stringify(AMPLIFLOW_ROUTES)).routes.length, AMPLIFLOW_ROUTES.routes.length);
    assert.equal(compileRoutes([route()]).routes.length, 1, "an array is a table with the default fallback");
    const compiled = compileRoutes(EXAMPLE_ROUTES);
    assert.equal(compileRoutes(compiled), compiled, "a compiled table passes through");
  });

  const cases = [
    ["not JSON", "{routes:", /not valid JSON/],
    ["not an object", 42, /expected `\{ routes/],
    ["routes missing", {}, /`routes` must be an array/],
    ["unknown top-level key", { routes: [], fallbak: "deny" }, /unknown top-level key `fallbak`/],
    ["a route that is not an object", { routes: ["GET /a"] }, /route 1: expected an object/],
    ["unknown route key", { routes: [route({ require: { public: true } })] }, /unknown key `require`/],
    ["requires missing", { routes: [{ method: "GET", path: "/a" }] }, /`requires` is missing/],
    ["lower-case method", { routes: [route({ method: "get" })] }, /invalid method `get`/],
    ["`*` among methods", { routes: [route({ method: ["*", "GET"] })] }, /`\*` cannot be combined/],
    ["empty method list", { routes: [route({ method: [] })] }, /`method` must be/],
    ["relative path", { routes: [route({ path: "a/b" })] }, /must be a string starting with `\/`/],
    ["double slash", { routes: [route({ path: "/a//b" })] }, /empty segment/],
    ["trailing slash", { routes: [route({ path: "/a/" })] }, /empty segment/],
    ["`*` in the middle", { routes: [route({ path: "/a/*/b" })] }, /`\*` is allowed only as the last segment/],
    ["`*` inside a segment", { routes: [route({ path: "/a/b*" })] }, /invalid path segment `b\*`/],
    ["dot segment", { routes: [route({ path: "/a/../b" })] }, /invalid path segment `..`/],
    ["space in a literal", { routes: [route({ path: "/a b" })] }, /invalid path segment/],
    ["bad parameter name", { routes: [route({ path: "/a/:1x" })] }, /invalid parameter name `:1x`/],
    ["parameter twice", { routes: [route({ path: "/a/:id/:id" })] }, /parameter `:id` appears twice/],
    ["misspelt requirement key", { routes: [route({ requires: { permision: "x" } })] }, /`requires` must be \{ public: true \}/],
    ["extra key in a requirement", { routes: [route({ requires: { permission: "x", scop: "y" } })] }, /unknown key `scop` in a permission requirement/],
    ["public not true", { routes: [route({ requires: { public: "yes" } })] }, /`public` must be `true`/],
    ["level and action", { routes: [route({ requires: { feature: "f", level: "owner", action: "view" } })] }, /takes `level` or `action`, not both/],
    ["empty permission", { routes: [route({ requires: { permission: "" } })] }, /`permission` must be a non-empty string/],
    ["resource without action", { routes: [route({ path: "/l/:id", requires: { resource: ":id" } })] }, /`action` is required/],
    [
      "scope naming an undeclared parameter",
      { routes: [route({ path: "/fax/:num/send", requires: { permission: "fax.send_from", scope: ":number" } })] },
      /`scope` references `:number`, which the path does not declare \(it declares `:num`\)/,
    ],
    ["permission naming a parameter", { routes: [route({ path: "/p/:p", requires: { permission: ":p" } })] }, /`permission` cannot reference a path parameter/],
    ["fallback naming a parameter", { routes: [], fallback: { resource: ":id", action: "view" } }, /the fallback has no path/],
    ["fallback `allow`", { routes: [], fallback: "allow" }, /`fallback` must be `"deny"`/],
    [
      "two routes for the same requests",
      { routes: [route({ path: "/l/:id" }), route({ path: "/l/:other", requires: { authenticated: true } })] },
      /route 2 \(`GET \/l\/:other`\): matches the same requests as route 1/,
    ],
    [
      "overlapping method lists",
      { routes: [route({ method: ["GET", "POST"] }), route({ method: ["POST"] })] },
      /matches the same requests as route 1/,
    ],
  ];
  for (const [name, table, pattern] of cases) {
    test(`refuses ${name}`, () => {
      const errors = problems(table);
      assert.ok(errors.some((e) => pattern.test(e)), `no error matches ${pattern}:\n${errors.join("\n")}`);
    });
  }

  test("reports every problem at once", () => {
    const errors = problems({ routes: [route({ method: "get" }), route({ path: "x" }), route({ requires: {} })] });
    assert.equal(errors.length, 3, errors.join("\n"));
    assert.match(errors[0], /^route 1 /);
    assert.match(errors[2], /^route 3 /);
  });

  test("routes that differ only in method or literal are fine", () => {
    compileRoutes({
      routes: [route(), route({ method: "POST" }), route({ method: "*" }), route({ path: "/b" }), route({ path: "/l/:id" }), route({ path: "/l/*" })],
    });
  });

  test("createGate validates the table before anything else", () => {
    assert.throws(() => createGate({ routes: { routes: [route({ method: "get" })] }, jwks: JWKS_JSON, audience: AUDIENCE }), RouteTableError);
  });
});

describe("matching", () => {
  // Public routes need no token, so the matched route label shows which one won.
  const labels = [
    ["GET", "/a/*"],
    ["GET", "/a/b"],
    ["GET", "/a/:x"],
    ["GET", "/a/:x/c"],
    ["GET", "/a/b/*"],
    ["*", "/a/b"],
    ["GET", "/:any/b"],
    ["GET", "/"],
  ];
  const table = labels.map(([method, path]) => ({ method, path, requires: { public: true } }));
  const expect = [
    ["GET", "/a/b", "GET /a/b"],
    ["POST", "/a/b", "* /a/b"],
    ["GET", "/a/zz", "GET /a/:x"],
    ["GET", "/a", "GET /a/*"],
    ["GET", "/a/b/c", "GET /a/b/*"],
    ["GET", "/a/q/c", "GET /a/:x/c"],
    ["GET", "/a/q/c/d", "GET /a/*"],
    ["GET", "/z/b", "GET /:any/b"],
    ["GET", "/", "GET /"],
    ["GET", "/a/b/", "GET /a/b"],
  ];

  test("the most specific route wins, whatever the table's order", () => {
    for (const order of [table, [...table].reverse(), [table[3], table[0], table[6], table[1], table[7], table[5], table[2], table[4]]]) {
      const gate = createGate({ routes: order, jwks: JWKS_JSON, audience: AUDIENCE });
      for (const [method, path, want] of expect) {
        const r = gate.authorize(req(method, path));
        assert.equal(r.route, want, `${method} ${path}`);
        assert.equal(r.decision, "public");
      }
    }
  });

  test("no implicit HEAD for GET; unmatched requests are denied by default", async () => {
    const gate = createGate({ routes: [route({ requires: { authenticated: true } })], jwks: JWKS_JSON, audience: AUDIENCE });
    const token = golden("ampliflow", "newbie");
    const head = gate.authorize(req("HEAD", "/a", { token }));
    assert.equal(head.status, 403);
    const b = await body(head);
    assert.equal(b.explanation.reason, "no_route");
    assert.equal(b.route, null);
    assert.equal(gate.authorize(req("GET", "/a", { token })).allowed, true);
    // Unauthenticated callers learn nothing about the table: 401 first.
    assert.equal(gate.authorize(req("GET", "/elsewhere")).status, 401);
  });

  test("the fallback can let any valid snapshot through", () => {
    const gate = ampliflow();
    const r = gate.authorize(req("GET", "/not/in/the/table", { token: golden("ampliflow", "newbie") }));
    assert.equal(r.allowed, true);
    assert.equal(r.route, null);
    assert.equal(r.request.headers.get("x-permslip-requirement"), '{"authenticated":true}');
    assert.equal(gate.authorize(req("GET", "/not/in/the/table")).status, 401);
  });

  test("path parameters are percent-decoded before the check", () => {
    const gate = amplify();
    const token = golden("amplify", "member");
    const r = gate.authorize(req("POST", "/api/fax/numbers/%2B15550100/send", { token }));
    assert.equal(r.allowed, true);
    assert.equal(r.request.headers.get("x-permslip-requirement"), '{"permission":"fax.send_from","scope":"+15550100"}');
    // Literals compare decoded too: %61pi is api.
    assert.equal(gate.authorize(req("GET", "/%61pi/me", { token })).route, "GET /api/me");
  });

  test("ambiguous paths are refused with 400 before any check", async () => {
    const gate = amplify();
    const token = golden("amplify", "admin");
    for (const path of ["/api//me", "/api/forms/a%2Fb/1", "/api/forms/%2e%2e%5c/x", "/api/forms/%zz/1", "/api/forms/a%00/1", "/api/forms/a%5Cb/1"]) {
      const r = gate.authorize(req("GET", path, { token }));
      assert.equal(r.status, 400, path);
      assert.equal((await body(r)).error, "bad_request");
    }
    // Dot segments are resolved by the URL parser before the gate sees the path.
    assert.equal(gate.authorize(req("GET", "/api/forms/intake/../../account/x", { token })).route, "* /api/account/*");
    assert.equal(gate.authorize(req("GET", "/api/forms/intake/%2e%2e/%2e%2e/account/x", { token })).route, "* /api/account/*");
  });
});

describe("responses and forwarding", () => {
  test("401 for a missing snapshot, with WWW-Authenticate", async () => {
    const r = amplify().authorize(req("GET", "/api/me"));
    assert.equal(r.status, 401);
    assert.equal(r.response.headers.get("www-authenticate"), 'Bearer realm="permslip"');
    assert.equal(r.response.headers.get("cache-control"), "no-store");
    assert.deepEqual(await body(r), {
      error: "unauthenticated",
      reason: "missing",
      code: null,
      message: "no snapshot: send `Authorization: Bearer <snapshot>` or the `permslip` cookie",
    });
  });

  test("401 for a tampered, malformed, foreign or expired snapshot", async () => {
    const gate = amplify();
    const member = golden("amplify", "member");
    const nowS = Math.floor(Date.now() / 1000);
    const expired = await resign("amplify", "member", { iat: nowS - 7200, nbf: nowS - 7200, exp: nowS - 3600 });
    const cases = [
      [tamperPayload(member), "invalid", "bad_signature"],
      [tamperSignature(member), "invalid", "bad_signature"],
      ["not-a-token", "invalid", "malformed"],
      [await resign("amplify", "member", { aud: "another-app" }), "invalid", "wrong_audience"],
      [expired, "expired", "expired"],
      ["x".repeat(20_000), "invalid", "too_large"],
    ];
    for (const [token, reason, code] of cases) {
      const r = gate.authorize(req("GET", "/api/me", { token }));
      assert.equal(r.status, 401, code);
      const b = await body(r);
      assert.equal(b.reason, reason, code);
      assert.equal(b.code, code);
      assert.match(r.response.headers.get("www-authenticate"), /^Bearer realm="permslip", error="invalid_token"/);
    }
    // The signature failure stays opaque.
    assert.equal((await body(gate.authorize(req("GET", "/api/me", { token: tamperPayload(member) })))).message, "invalid signature");
    assert.equal(gate.stats.size, 0, "failures are not cached");
  });

  test("403 carries the explanation as JSON", async () => {
    const r = amplify().authorize(req("POST", "/api/fax/numbers/+15550101/send", { token: golden("amplify", "member") }));
    assert.equal(r.status, 403);
    assert.equal(r.decision, "deny");
    assert.equal(r.reason, "scope_not_granted");
    const b = await body(r);
    assert.equal(b.error, "forbidden");
    assert.equal(b.subject, "member");
    assert.equal(b.route, "POST /api/fax/numbers/:number/send");
    assert.deepEqual(b.requirement, { permission: "fax.send_from", scope: "+15550101" });
    assert.equal(b.explanation.reason, "scope_not_granted");
    assert.equal(b.explanation.allowed, false);
  });

  test("403 reasons for every requirement kind", async () => {
    const flow = ampliflow();
    const fly = amplify();
    const cases = [
      [fly, "amplify", "admin", "POST", "/api/fax/1/ocr", "explicit_only"],
      [fly, "amplify", "it-admin", "GET", "/api/account/settings", "revoked"],
      [fly, "amplify", "fax-clerk", "POST", "/api/connect/messages", "product_off"],
      [fly, "amplify", "new-hire", "GET", "/api/fax/sent", "not_granted"],
      [flow, "ampliflow", "newbie", "PUT", "/documents/1", "level_too_low"],
      [flow, "ampliflow", "member", "GET", "/customers", "product_off"],
      [flow, "ampliflow", "mapper", "GET", "/lists/list-incidents", "unknown_resource"],
      [flow, "ampliflow", "intern", "GET", "/lists/list-incidents", "level_too_low"],
      [flow, "ampliflow", "newbie", "PUT", "/profile", "not_granted"],
    ];
    for (const [gate, example, user, method, path, reason] of cases) {
      const b = await body(gate.authorize(req(method, path, { token: golden(example, user) })));
      assert.equal(b.explanation.reason, reason, `${user} ${method} ${path}`);
    }
    const level = await body(flow.authorize(req("PUT", "/documents/1", { token: golden("ampliflow", "newbie") })));
    assert.deepEqual(level.explanation, {
      allowed: false,
      reason: "level_too_low",
      query: "level editor on feature documents",
      via: [],
      needed: "editor",
      level: "reader",
      message: "reader on feature documents, needs editor",
    });
    const unknown = createGate({ routes: [route({ requires: { feature: "nope", level: "owner" } })], jwks: JWKS_JSON, audience: AUDIENCE });
    assert.equal((await body(unknown.authorize(req("GET", "/a", { token: golden("ampliflow", "newbie") })))).explanation.reason, "unknown_feature");
    const badLevel = createGate({ routes: [route({ requires: { feature: "documents", level: "god" } })], jwks: JWKS_JSON, audience: AUDIENCE });
    assert.equal((await body(badLevel.authorize(req("GET", "/a", { token: golden("ampliflow", "newbie") })))).explanation.reason, "unknown_level");
  });

  test("allowed for every requirement kind", () => {
    const flow = ampliflow();
    const fly = amplify();
    const cases = [
      [fly, "amplify", "fax-clerk", "POST", "/api/fax/1/ocr"],
      [fly, "amplify", "admin", "DELETE", "/api/account/users/7"],
      [fly, "amplify", "manager", "DELETE", "/api/forms/feedback/1"],
      [flow, "ampliflow", "mapper", "PUT", "/documents/1"],
      [flow, "ampliflow", "newbie", "GET", "/documents"],
      [flow, "ampliflow", "manager", "GET", "/customers"],
      [flow, "ampliflow", "member", "GET", "/lists/list-incidents"],
      [flow, "ampliflow", "intern", "POST", "/lists/list-incidents/items"],
      [flow, "ampliflow", "administrator", "GET", "/settings/anything"],
    ];
    for (const [gate, example, user, method, path] of cases) {
      const r = gate.authorize(req(method, path, { token: golden(example, user) }));
      assert.equal(r.allowed, true, `${user} ${method} ${path}`);
      assert.equal(r.subject, user);
    }
  });

  test("`explain: false` keeps explanations out of 403 bodies", async () => {
    const r = amplify({ explain: false }).authorize(req("GET", "/api/fax/sent", { token: golden("amplify", "new-hire") }));
    const b = await body(r);
    assert.equal(b.explanation, undefined);
    assert.deepEqual(b.requirement, { permission: "fax.view.sent" });
  });

  test("the origin gets the verified subject and decision; client copies are removed", async () => {
    const r = amplify().authorize(
      req("POST", "/api/fax/numbers/+15550100/send?x=1", {
        token: golden("amplify", "member"),
        headers: { "X-Permslip-Subject": "admin", "x-permslip-decision": "allow", "X-Permslip-Whatever": "1", "x-other": "kept" },
        body: "fax body",
      }),
    );
    assert.equal(r.allowed, true);
    const h = r.request.headers;
    assert.equal(r.request.url, "https://app.example.test/api/fax/numbers/+15550100/send?x=1");
    assert.equal(r.request.method, "POST");
    assert.equal(await r.request.text(), "fax body");
    assert.equal(h.get("x-permslip-subject"), "member");
    assert.equal(h.get("x-permslip-decision"), "allow");
    assert.equal(h.get("x-permslip-route"), "POST /api/fax/numbers/:number/send");
    assert.equal(h.get("x-permslip-issuer"), "permslip-test");
    assert.equal(h.get("x-permslip-serial"), "1");
    assert.equal(h.get("x-permslip-expires"), "4102444800");
    assert.equal(h.get("x-permslip-cache"), "miss");
    assert.equal(h.get("x-permslip-whatever"), null);
    assert.equal(h.get("x-other"), "kept");
    assert.ok(h.get("authorization").startsWith("Bearer "), "the snapshot is forwarded so the origin can verify it too");
  });

  test("public routes forward without a subject, whatever the client sends", () => {
    const r = amplify().authorize(
      req("GET", "/health", { token: tamperPayload(golden("amplify", "member")), headers: { "x-permslip-subject": "admin" } }),
    );
    assert.equal(r.allowed, true);
    assert.equal(r.decision, "public");
    assert.equal(r.subject, null);
    assert.equal(r.request.headers.get("x-permslip-subject"), null);
    assert.equal(r.request.headers.get("x-permslip-decision"), "public");
  });

  test("non-ASCII subjects and scopes travel as ASCII header values", async () => {
    const claims = claimsOf(golden("ampliflow", "newbie"));
    const token = await sign({ ...claims, sub: "nils-ö", slip: { ...claims.slip, user: { ...claims.slip.user, id: "nils-ö" } } });
    const gate = createGate({
      routes: [route({ path: "/p/:s", requires: { permission: "profile.view", scope: ":s" } })],
      jwks: JWKS_JSON,
      audience: AUDIENCE,
    });
    const r = gate.authorize(req("GET", "/p/%C3%A9t%C3%A9", { token }));
    assert.equal(r.allowed, true);
    assert.equal(decodeURIComponent(r.request.headers.get("x-permslip-subject")), "nils-ö");
    assert.deepEqual(JSON.parse(r.request.headers.get("x-permslip-requirement")), { permission: "profile.view", scope: "été" });
  });

  test("handle() forwards only allowed requests", async () => {
    const gate = amplify();
    const seen = [];
    const forward = async (r) => {
      seen.push(r.url);
      return new Response("from origin");
    };
    assert.equal(await (await gate.handle(req("GET", "/api/me", { token: golden("amplify", "member") }), forward)).text(), "from origin");
    assert.equal((await gate.handle(req("GET", "/api/me", { token: tamperSignature(golden("amplify", "member")) }), forward)).status, 401);
    assert.equal((await gate.handle(req("GET", "/api/fax/sent", { token: golden("amplify", "new-hire") }), forward)).status, 403);
    assert.deepEqual(seen, ["https://app.example.test/api/me"]);
  });
});

describe("authorizeAsync", () => {
  test("decides every request exactly as authorize, and caches what it verified", async () => {
    const member = golden("amplify", "member");
    const nowS = Math.floor(Date.now() / 1000);
    const expired = await resign("amplify", "member", { iat: nowS - 7200, nbf: nowS - 7200, exp: nowS - 3600 });
    const requests = () => [
      req("GET", "/api/me", { token: member }),
      req("GET", "/api/me", { token: member }), // a cache hit
      req("GET", "/api/fax/sent", { token: golden("amplify", "new-hire") }),
      req("GET", "/api/me", { token: tamperSignature(member) }),
      req("GET", "/api/me", { token: tamperPayload(member) }),
      req("GET", "/api/me", { token: expired }),
      req("GET", "/api/me", { token: "not-a-token" }),
      req("GET", "/api/me", { token: "x".repeat(20_000) }),
      req("GET", "/api/me"),
      req("GET", "/a//b"),
      req("GET", "/nowhere", { token: member }),
    ];
    const sync = amplify();
    const async_ = amplify();
    const outcome = async (r) => ({
      allowed: r.allowed,
      status: r.status ?? null,
      body: r.allowed ? null : await r.response.text(),
      subject: r.allowed ? r.request.headers.get("x-permslip-subject") : null,
    });
    const a = requests();
    const b = requests();
    for (let i = 0; i < a.length; i++) {
      const want = await outcome(sync.authorize(a[i]));
      const got = await outcome(await async_.authorizeAsync(b[i]));
      assert.deepEqual(got, want, `request ${i}`);
    }
    assert.equal(async_.stats.size, sync.stats.size, "the same snapshots are cached");
    assert.equal(async_.stats.size, 2, "the two valid snapshots");
  });

  test("concurrent requests with one uncached token verify it and keep one cache entry", async () => {
    const gate = amplify();
    const member = golden("amplify", "member");
    const results = await Promise.all([1, 2, 3].map(() => gate.authorizeAsync(req("GET", "/api/me", { token: member }))));
    assert.deepEqual(results.map((r) => r.allowed), [true, true, true]);
    assert.equal(gate.stats.size, 1);
    assert.equal(gate.authorize(req("GET", "/api/me", { token: member })).allowed, true, "the cached checker was not freed");
  });
});

describe("finding the snapshot", () => {
  const member = golden("amplify", "member");
  const admin = golden("amplify", "admin");

  test("from the cookie, or the configured one, or not at all", () => {
    assert.equal(amplify().authorize(req("GET", "/api/me", { cookie: `theme=dark; permslip=${member}; x=1` })).subject, "member");
    assert.equal(amplify().authorize(req("GET", "/api/me", { cookie: `permslip="${member}"` })).subject, "member");
    assert.equal(amplify({ cookie: "snap" }).authorize(req("GET", "/api/me", { cookie: `snap=${member}` })).subject, "member");
    assert.equal(amplify({ cookie: null }).authorize(req("GET", "/api/me", { cookie: `permslip=${member}` })).status, 401);
    assert.throws(() => amplify({ cookie: "bad name" }), TypeError);
  });

  test("the Authorization header wins over the cookie; other schemes are ignored", () => {
    assert.equal(amplify().authorize(req("GET", "/api/me", { token: admin, cookie: `permslip=${member}` })).subject, "admin");
    assert.equal(
      amplify().authorize(req("GET", "/api/me", { headers: { authorization: `bEaReR   ${admin}` } })).subject,
      "admin",
      "the scheme is case-insensitive",
    );
    assert.equal(amplify().authorize(req("GET", "/api/me", { headers: { authorization: "Basic dXNlcjpwdw==" }, cookie: `permslip=${member}` })).subject, "member");
  });

  test("a cookie set twice with different values is refused", async () => {
    const r = amplify().authorize(req("GET", "/api/me", { cookie: `permslip=${member}; permslip=${admin}` }));
    assert.equal(r.status, 401);
    assert.equal((await body(r)).code, "ambiguous");
    assert.equal(amplify().authorize(req("GET", "/api/me", { cookie: `permslip=${member}; permslip=${member}` })).subject, "member");
  });
});

describe("catalogue bundles", () => {
  test("a snapshot naming a bundle needs it", async () => {
    const without = createGate({ routes: EXAMPLE_ROUTES, jwks: JWKS_JSON, audience: AUDIENCE });
    const r = without.authorize(req("GET", "/api/me", { token: golden("amplify", "member") }));
    assert.equal(r.status, 401);
    assert.equal((await body(r)).code, "missing_catalogue");
  });

  test("given as the bundle token or as a verified Catalogue", () => {
    const keys = KeySet.parse(JWKS_JSON);
    const catalogue = Catalogue.load(CATALOGUE, { jwks: keys, audience: AUDIENCE });
    for (const gate of [amplify(), createGate({ routes: EXAMPLE_ROUTES, jwks: keys, audience: AUDIENCE, catalogue })]) {
      assert.equal(gate.authorize(req("GET", "/api/me", { token: golden("amplify", "member") })).subject, "member");
      // Snapshots with an inline catalogue ignore the bundle.
      assert.equal(gate.authorize(req("GET", "/api/me", { token: golden("ampliflow", "newbie") })).subject, "newbie");
    }
  });

  test("a bad bundle stops the gate from being created", () => {
    assert.throws(() => amplify({ catalogue: tamperSignature(CATALOGUE) }), (e) => e instanceof PermslipError && e.code === "bad_signature");
    assert.throws(() => amplify({ catalogue: { hash: "x" } }), TypeError);
  });
});

describe("options", () => {
  test("bad options are refused at creation", () => {
    assert.throws(() => createGate({ routes: [], jwks: JWKS_JSON }), /`audience` must be a non-empty string/);
    assert.throws(() => createGate({ routes: [], jwks: JWKS_JSON, audience: AUDIENCE, cacheSize: -1 }), /`cacheSize` must be a non-negative integer/);
    assert.throws(() => createGate({ routes: [], jwks: JWKS_JSON, audience: AUDIENCE, explain: "no" }), TypeError);
    assert.throws(() => createGate({ routes: [], jwks: "{}", audience: AUDIENCE }), (e) => e.code === "invalid_key_set");
    assert.throws(() => createGate(null), TypeError);
  });
});

describe("cache of verified tokens", () => {
  test("a repeat of the exact token is a hit", () => {
    const gate = amplify();
    const token = golden("amplify", "member");
    const first = gate.authorize(req("GET", "/api/me", { token }));
    const second = gate.authorize(req("POST", "/api/fax/numbers/+15550100/send", { token }));
    assert.equal(first.cached, false);
    assert.equal(second.cached, true);
    assert.equal(second.subject, "member");
    assert.deepEqual({ ...gate.stats }, { hits: 1, misses: 1, evictions: 0, expired: 0, size: 1, capacity: 256 });
    // A cached snapshot still answers per route.
    assert.equal(gate.authorize(req("POST", "/api/fax/numbers/+15550101/send", { token })).status, 403);
  });

  test("only the exact string hits: a tampered copy of a cached token is verified and refused", () => {
    const gate = amplify();
    const token = golden("amplify", "member");
    assert.equal(gate.authorize(req("GET", "/api/me", { token })).allowed, true);
    for (const bad of [tamperPayload(token), tamperSignature(token), `${token}x`, token.slice(0, -1)]) {
      const r = gate.authorize(req("GET", "/api/me", { token: bad }));
      assert.equal(r.status, 401);
      assert.equal(r.cached, false);
    }
    assert.equal(gate.stats.size, 1);
    assert.equal(gate.authorize(req("GET", "/api/me", { token })).cached, true, "the valid token is still cached");
  });

  test("a failure is not remembered: the same token verifies again later", async () => {
    let now = T0 * 1000;
    const gate = amplify({ now: () => now, leeway: 0 });
    const early = await resign("amplify", "member", { iat: T0, nbf: T0 + 60, exp: T0 + 3600 });
    let r = gate.authorize(req("GET", "/api/me", { token: early }));
    assert.equal(r.status, 401);
    assert.equal((await body(r)).code, "not_yet_valid");
    now += 61_000;
    r = gate.authorize(req("GET", "/api/me", { token: early }));
    assert.equal(r.allowed, true);
    assert.equal(r.cached, false);
  });

  test("expiry is checked on every hit, honouring the leeway", async () => {
    let now = T0 * 1000;
    const gate = amplify({ now: () => now, leeway: 30 });
    const token = await resign("amplify", "member", { iat: T0, nbf: T0, exp: T0 + 100 });
    assert.equal(gate.authorize(req("GET", "/api/me", { token })).cached, false);
    now = (T0 + 100 + 29) * 1000; // past exp, within the leeway
    const within = gate.authorize(req("GET", "/api/me", { token }));
    assert.equal(within.allowed, true);
    assert.equal(within.cached, true);
    now = (T0 + 100 + 30) * 1000;
    const r = gate.authorize(req("GET", "/api/me", { token }));
    assert.equal(r.status, 401);
    const b = await body(r);
    assert.equal(b.reason, "expired");
    assert.equal(b.code, "expired");
    assert.equal(gate.stats.expired, 1);
    assert.equal(gate.stats.size, 0, "the expired entry is dropped");
    // And it stays refused (now verified again, and refused by the verifier).
    assert.equal((await body(gate.authorize(req("GET", "/api/me", { token })))).reason, "expired");
  });

  test("bounded, least recently used first", async () => {
    const gate = ampliflow({ cacheSize: 2 });
    const [a, b, c] = ["newbie", "mapper", "tess"].map((u) => golden("ampliflow", u));
    const hit = (t) => gate.authorize(req("GET", "/documents", { token: t })).cached;
    assert.equal(hit(a), false);
    assert.equal(hit(b), false);
    assert.equal(hit(a), true); // a is now the most recent
    assert.equal(hit(c), false); // evicts b
    assert.equal(gate.stats.size, 2);
    assert.equal(gate.stats.evictions, 1);
    assert.equal(hit(a), true);
    assert.equal(hit(c), true);
    assert.equal(hit(b), false, "b was evicted");
    // Many distinct tokens never grow it past the bound.
    for (let i = 0; i < 20; i++) {
      const t = await resign("ampliflow", "newbie", { serial: 100 + i });
      assert.equal(gate.authorize(req("GET", "/documents", { token: t })).allowed, true);
      assert.ok(gate.stats.size <= 2);
    }
  });

  test("cacheSize 0 verifies every time; clear() empties the cache", () => {
    const off = amplify({ cacheSize: 0 });
    const token = golden("amplify", "member");
    for (let i = 0; i < 3; i++) assert.equal(off.authorize(req("GET", "/api/me", { token })).cached, false);
    assert.equal(off.stats.size, 0);
    assert.equal(off.stats.misses, 3);
    const on = amplify();
    on.authorize(req("GET", "/api/me", { token }));
    on.clear();
    assert.equal(on.stats.size, 0);
    assert.equal(on.authorize(req("GET", "/api/me", { token })).cached, false);
  });

  test("a repeat request is much cheaper than a cold one", () => {
    const token = golden("amplify", "member");
    const request = () => req("POST", "/api/fax/numbers/+15550100/send", { token });
    const cold = amplify({ cacheSize: 0 });
    const warm = amplify();
    const coldMs = median(() => cold.authorize(request()), 200);
    const warmMs = median(() => warm.authorize(request()), 2000);
    assert.ok(warmMs * 5 < coldMs, `cached ${warmMs} ms vs cold ${coldMs} ms`);
  });
});
