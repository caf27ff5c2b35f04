// The example edge worker for real: workerd (npm `workerd`) and the Node adapter on 127.0.0.1,
// in front of a Node echo origin, driven with real HTTP requests. Covers valid, tampered,
// expired and expiring-while-cached snapshots, 401/403/200, header stripping, and that nothing
// refused ever reaches the origin. A second workerd gate runs the AmpliFlow route table (levels,
// resources, a permissive fallback); a third must refuse to start on a bad route table.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import workerdPackage from "workerd";
import { startOrigin } from "../../examples/edge-worker/origin.mjs";
import {
  AMPLIFLOW_ROUTES,
  freePort,
  golden,
  resign,
  ROOT,
  runProcess,
  startProcess,
  tamperPayload,
  tamperSignature,
} from "./helpers.mjs";

const WORKERD = workerdPackage.default ?? workerdPackage;
const EXAMPLE = join(ROOT, "examples", "edge-worker");
// The package modules the full entry and the gate import (react.js imports react, which workerd
// cannot resolve; the lite modules are not reached).
const PACKAGE_MODULES = ["workerd.js", "core.js", "edge.js", "error.js", "facts.js", "options.js"];
const nowS = () => Math.floor(Date.now() / 1000);

let origin;
const stops = [];
const tmp = mkdtempSync(join(tmpdir(), "permslip-edge-"));

before(async () => {
  origin = await startOrigin();
});

after(async () => {
  for (const stop of stops.reverse()) await stop();
  await origin?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Starts workerd with `config` (socket `http` moved to a free port); resolves its base URL. */
async function workerd(config, env = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const p = await startProcess(WORKERD, ["serve", config, "--socket-addr", `http=127.0.0.1:${port}`], {
    env: { ORIGIN_URL: origin.url, ...env },
    url: `${base}/health`,
  });
  stops.push(p.stop);
  return base;
}

/** Starts the example under Node through its adapter; resolves its base URL. */
async function nodeAdapter(env = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const p = await startProcess(process.execPath, ["--no-warnings", join(EXAMPLE, "node.mjs"), String(port)], {
    env: { ORIGIN_URL: origin.url, ...env },
    url: `${base}/health`,
  });
  stops.push(p.stop);
  return base;
}

/**
 * A workerd config for worker.js with another route table, written into the temp dir with
 * embeds relative to it (capnp refuses absolute embed paths).
 */
function configWith(routesText, name) {
  const rel = (...p) => relative(tmp, join(ROOT, ...p));
  writeFileSync(join(tmp, `${name}.routes.json`), routesText);
  const file = join(tmp, `${name}.capnp`);
  writeFileSync(
    file,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "gate", worker = .gate), (name = "origin-network", network = (allow = ["local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "gate") ],
);
const gate :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "${rel("examples", "edge-worker", "worker.js")}"),
    (name = "routes.json", json = embed "${name}.routes.json"),
    (name = "permslip", esModule = "export * from \\"node_modules/permslip/src/workerd.js\\";"),
    (name = "permslip/edge", esModule = "export * from \\"../node_modules/permslip/src/edge.js\\";"),
${PACKAGE_MODULES.map((f) => `    (name = "node_modules/permslip/src/${f}", esModule = embed "${rel("pkg", "src", f)}"),\n`).join("")}    (name = "node_modules/permslip/dist/permslip.js", esModule = embed "${rel("pkg", "dist", "permslip.js")}"),
    (name = "node_modules/permslip/dist/permslip_bg.wasm", wasm = embed "${rel("pkg", "dist", "permslip_bg.wasm")}"),
  ],
  bindings = [
    (name = "PERMSLIP_JWKS", text = embed "${rel("tests", "keys", "test-jwks.json")}"),
    (name = "PERMSLIP_AUDIENCE", text = "permslip-demo"),
    (name = "ORIGIN_URL", fromEnvironment = "ORIGIN_URL"),
  ],
  globalOutbound = "origin-network",
  compatibilityDate = "2025-01-01",
);
`,
  );
  return file;
}

async function call(base, method, path, { token, cookie, headers = {}, body } = {}) {
  const h = { ...headers };
  if (token !== undefined) h.authorization = `Bearer ${token}`;
  if (cookie !== undefined) h.cookie = cookie;
  const res = await fetch(base + path, { method, headers: h, body });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, json, text, fromOrigin: res.headers.get("x-origin") === "echo" };
}

// A unique marker per request so the origin's log shows exactly which requests reached it.
let n = 0;
const mark = (path) => `${path}${path.includes("?") ? "&" : "?"}m=${++n}`;
const reached = (path) => origin.requests.some((r) => r.url === path);

/** The Amplify example's scenarios, run against workerd and against Node. */
function amplifyScenarios(runtime, start) {
  describe(`example worker in ${runtime}`, () => {
    let base;
    before(async () => {
      base = await start({ PERMSLIP_LEEWAY: "0" });
    });

    test("a public route needs no snapshot and carries no subject", async () => {
      const path = mark("/health");
      const r = await call(base, "GET", path, { headers: { "x-permslip-subject": "admin" } });
      assert.equal(r.status, 200);
      assert.ok(r.fromOrigin);
      assert.deepEqual(r.json.permslip, { "x-permslip-decision": "public", "x-permslip-route": "GET /health" });
    });

    test("allowed: forwarded with the verified subject, the client's copy removed", async () => {
      const path = mark("/api/fax/numbers/%2B15550100/send");
      const r = await call(base, "POST", path, {
        token: golden("amplify", "member"),
        headers: { "X-Permslip-Subject": "admin", "X-Permslip-Decision": "allow", "content-type": "text/plain" },
        body: "page 1",
      });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.fromOrigin);
      assert.equal(r.json.method, "POST");
      assert.equal(r.json.url, path);
      assert.equal(r.json.body, "page 1");
      assert.deepEqual(r.json.permslip, {
        "x-permslip-cache": r.json.permslip["x-permslip-cache"],
        "x-permslip-decision": "allow",
        "x-permslip-expires": "4102444800",
        "x-permslip-issuer": "permslip-test",
        "x-permslip-requirement": '{"permission":"fax.send_from","scope":"+15550100"}',
        "x-permslip-route": "POST /api/fax/numbers/:number/send",
        "x-permslip-serial": "1",
        "x-permslip-subject": "member",
      });
    });

    test("the snapshot may come in the cookie", async () => {
      const r = await call(base, "GET", mark("/api/me"), { cookie: `theme=dark; permslip=${golden("amplify", "fax-clerk")}` });
      assert.equal(r.status, 200);
      assert.equal(r.json.permslip["x-permslip-subject"], "fax-clerk");
    });

    test("denied: 403 with the explanation, nothing forwarded", async () => {
      const path = mark("/api/fax/numbers/+15550101/send");
      const r = await call(base, "POST", path, { token: golden("amplify", "member"), body: "page 1" });
      assert.equal(r.status, 403);
      assert.equal(r.fromOrigin, false);
      assert.equal(r.json.error, "forbidden");
      assert.equal(r.json.subject, "member");
      assert.deepEqual(r.json.requirement, { permission: "fax.send_from", scope: "+15550101" });
      assert.equal(r.json.explanation.reason, "scope_not_granted");
      assert.equal(reached(path), false);
      for (const [user, method, p, reason] of [
        ["admin", "POST", "/api/fax/1/ocr", "explicit_only"],
        ["it-admin", "GET", "/api/account/settings", "revoked"],
        ["new-hire", "GET", "/api/fax/sent", "not_granted"],
        ["member", "GET", "/api/unknown", "no_route"],
      ]) {
        const d = await call(base, method, mark(p), { token: golden("amplify", user) });
        assert.equal(d.status, 403, `${user} ${p}`);
        assert.equal(d.json.explanation.reason, reason, `${user} ${p}`);
      }
    });

    test("401 for missing, tampered and expired snapshots; none reach the origin", async () => {
      const member = golden("amplify", "member");
      const expired = await resign("amplify", "member", { iat: nowS() - 7200, nbf: nowS() - 7200, exp: nowS() - 3600 });
      const cases = [
        ["missing", undefined, "missing", null],
        ["tampered payload", tamperPayload(member), "invalid", "bad_signature"],
        ["tampered signature", tamperSignature(member), "invalid", "bad_signature"],
        ["garbage", "a.b.c", "invalid", "malformed"],
        ["expired", expired, "expired", "expired"],
      ];
      for (const [name, token, reason, code] of cases) {
        const path = mark("/api/me");
        const r = await call(base, "GET", path, { token, headers: { "x-permslip-subject": "member" } });
        assert.equal(r.status, 401, name);
        assert.equal(r.fromOrigin, false, name);
        assert.equal(r.json.reason, reason, name);
        assert.equal(r.json.code, code, name);
        assert.match(r.headers.get("www-authenticate"), /^Bearer realm="permslip"/, name);
        assert.equal(reached(path), false, `${name} reached the origin`);
      }
    });

    test("a cached snapshot that expires is refused on its next request", async () => {
      // Leeway 0 (PERMSLIP_LEEWAY); exp two seconds ahead. The first request verifies and caches.
      const exp = nowS() + 2;
      const token = await resign("amplify", "manager", { iat: nowS() - 10, nbf: nowS() - 10, exp });
      const first = await call(base, "GET", mark("/api/me"), { token });
      assert.equal(first.status, 200);
      assert.equal(first.json.permslip["x-permslip-cache"], "miss");
      const again = await call(base, "GET", mark("/api/me"), { token });
      assert.equal(again.status, 200);
      assert.equal(again.json.permslip["x-permslip-cache"], "hit", "the isolate kept the verified snapshot");
      await sleep(Math.max(0, (exp + 1) * 1000 - Date.now()));
      const path = mark("/api/me");
      const late = await call(base, "GET", path, { token });
      assert.equal(late.status, 401);
      assert.equal(late.json.reason, "expired");
      assert.equal(reached(path), false);
    });
  });
}

amplifyScenarios("workerd", (env) => workerd(join(EXAMPLE, "config.capnp"), env));
amplifyScenarios("Node", (env) => nodeAdapter(env));

describe("AmpliFlow route table in workerd", () => {
  let base;
  before(async () => {
    base = await workerd(configWith(JSON.stringify(AMPLIFLOW_ROUTES), "ampliflow"));
  });

  test("levels, feature actions, resources and permissions", async () => {
    const cases = [
      ["newbie", "GET", "/documents/handbook", 200, null],
      ["newbie", "PUT", "/documents/1", 403, "level_too_low"],
      ["mapper", "PUT", "/documents/1", 200, null],
      ["manager", "GET", "/customers", 200, null],
      ["member", "GET", "/customers", 403, "product_off"],
      ["member", "GET", "/lists/list-incidents", 200, null],
      ["mapper", "GET", "/lists/list-incidents", 403, "unknown_resource"],
      ["intern", "POST", "/lists/list-incidents/items", 200, null],
      ["intern", "GET", "/lists/list-incidents", 403, "level_too_low"],
      ["newbie", "PUT", "/profile", 403, "not_granted"],
      ["newbie", "GET", "/anything/else", 200, null], // the fallback: any valid snapshot
    ];
    for (const [user, method, p, status, reason] of cases) {
      const path = mark(p);
      const r = await call(base, method, path, { token: golden("ampliflow", user) });
      assert.equal(r.status, status, `${user} ${method} ${p}: ${r.text}`);
      if (status === 200) {
        assert.ok(r.fromOrigin);
        assert.equal(r.json.permslip["x-permslip-subject"], user);
      } else {
        assert.equal(r.json.explanation.reason, reason, `${user} ${method} ${p}`);
        assert.equal(reached(path), false);
      }
    }
    assert.equal((await call(base, "GET", mark("/anything/else"))).status, 401, "the fallback still needs a snapshot");
  });
});

describe("start-up", () => {
  test("workerd refuses to start on an invalid route table, naming the problem", async () => {
    const bad = { routes: [{ method: "GET", path: "/fax/:num/send", requires: { permission: "fax.send_from", scope: ":number" } }] };
    const config = configWith(JSON.stringify(bad), "bad");
    const port = await freePort();
    const r = await runProcess(WORKERD, ["serve", config, "--socket-addr", `http=127.0.0.1:${port}`], {
      env: { ORIGIN_URL: origin.url },
    });
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /RouteTableError: invalid route table: route 1 \(`GET \/fax\/:num\/send`\): `scope` references `:number`/);
  });
});
