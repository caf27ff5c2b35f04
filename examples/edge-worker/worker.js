// An edge gate in front of an origin, as a module worker (Cloudflare Workers / workerd style).
// It runs unchanged in Node through node.mjs. Every request is matched against routes.json and
// checked against the caller's permslip snapshot (`Authorization: Bearer` or the `permslip`
// cookie): 401 without a valid snapshot, 403 with the explanation when the route is denied,
// otherwise the request goes to ORIGIN_URL with X-Permslip-* headers naming the verified
// subject and the decision (client-sent copies of those headers are removed first).
//
// Bindings (see config.capnp):
//   PERMSLIP_JWKS       the issuer's JWKS (JSON text)
//   PERMSLIP_AUDIENCE   this application's audience
//   PERMSLIP_CATALOGUE  optional: the catalogue bundle the snapshots name (Amplify's travels apart)
//   PERMSLIP_LEEWAY     optional: clock-skew allowance in seconds (default 60)
//   ORIGIN_URL          where allowed requests go, e.g. http://127.0.0.1:8788
import "permslip"; // its workerd and Node entries initialise the wasm at import
import { compileRoutes, createGate } from "permslip/edge";
import routeTable from "./routes.json" with { type: "json" };

// Validated at start-up: a bad table throws here and the worker does not load.
const routes = compileRoutes(routeTable);

// Bindings arrive with the first request; the gate (and its cache of verified snapshots) then
// lives as long as the isolate.
let gate = null;

function gateFor(env) {
  gate ??= createGate({
    routes,
    jwks: env.PERMSLIP_JWKS,
    audience: env.PERMSLIP_AUDIENCE,
    catalogue: env.PERMSLIP_CATALOGUE || undefined,
    leeway: env.PERMSLIP_LEEWAY ? Number(env.PERMSLIP_LEEWAY) : undefined,
  });
  return gate;
}

function toOrigin(request, origin) {
  const url = new URL(request.url);
  return fetch(new URL(url.pathname + url.search, origin), {
    method: request.method,
    headers: request.headers,
    body: request.body,
    redirect: "manual",
    duplex: "half", // Node's fetch needs it to stream a request body; workerd ignores it
  });
}

export default {
  async fetch(request, env) {
    let g;
    try {
      g = gateFor(env);
    } catch (e) {
      // Misconfigured (bad JWKS or catalogue bundle): refuse everything, forward nothing.
      console.error(`permslip gate: ${e.message}`);
      return Response.json({ error: "gate_error", message: "the gate is misconfigured" }, { status: 500 });
    }
    return g.handle(request, (allowed) => toOrigin(allowed, env.ORIGIN_URL));
  },
};
