// Type-checks pkg/edge.d.ts the way a worker uses it (tsc --noEmit, see scripts/edge-test.sh).
import { compileRoutes, createGate, RouteTableError } from "../../pkg/edge.js";
import type { ForbiddenBody, GateResult, LiteExplanation, LiteGateOptions, RouteTable, UnauthenticatedBody } from "../../pkg/edge.js";
import { KeySet } from "../../pkg/index.js";
import * as full from "../../pkg/index.js";
import * as lite from "../../pkg/lite.js";

const table: RouteTable = {
  fallback: "deny",
  routes: [
    { method: "GET", path: "/health", requires: { public: true } },
    { method: ["GET", "HEAD"], path: "/me", requires: { authenticated: true } },
    { method: "POST", path: "/fax/:number/send", requires: { permission: "fax.send_from", scope: ":number" } },
    { method: "GET", path: "/docs/*", requires: { feature: "documents" } },
    { method: "PUT", path: "/docs/:id", requires: { feature: "documents", level: "editor" } },
    { method: "GET", path: "/customers", requires: { feature: "customers", action: "view" } },
    { method: "*", path: "/lists/:id", requires: { resource: ":id", action: "view" } },
  ],
};

const routes = compileRoutes(table);
compileRoutes(JSON.stringify(table));
compileRoutes(table.routes);

interface Env {
  PERMSLIP_JWKS: string;
  ORIGIN_URL: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const gate = createGate({ routes, jwks: KeySet.parse(env.PERMSLIP_JWKS), audience: "app", cacheSize: 512, cookie: null });
    const r: GateResult = gate.authorize(request);
    const viaPlatform: GateResult = await gate.authorizeAsync(request);
    void viaPlatform;
    if (r.allowed) {
      const subject: string | null = r.subject;
      void subject;
      return fetch(new URL(new URL(r.request.url).pathname, env.ORIGIN_URL), r.request);
    }
    if (r.status === 403) {
      const body = (await r.response.clone().json()) as ForbiddenBody;
      void body.explanation?.reason;
    } else if (r.status === 401) {
      const body = (await r.response.clone().json()) as UnauthenticatedBody;
      void body.reason;
    }
    const stats = gate.stats;
    void (stats.hits + stats.misses + stats.size);
    return gate.handle(request, (allowed) => fetch(allowed));
  },
};

try {
  compileRoutes({ routes: [] });
} catch (e) {
  if (e instanceof RouteTableError) console.error(e.errors.join("\n"), e.code);
}

// @ts-expect-error a requirement needs one of the documented shapes
compileRoutes({ routes: [{ method: "GET", path: "/", requires: { permision: "x" } }] });

// The lite engine (`permslip/lite`): lite's key sets, no catalogue, lite's explanations.
declare const liteWasm: WebAssembly.Module;
export const liteWorker = {
  async fetch(request: Request, env: Env): Promise<Response> {
    await lite.init(liteWasm);
    const gate = createGate({ routes, jwks: env.PERMSLIP_JWKS, audience: "app", engine: lite });
    createGate({ routes, jwks: lite.KeySet.parse(env.PERMSLIP_JWKS), audience: "app", engine: lite, leeway: 30 });
    const options: LiteGateOptions = { routes, jwks: env.PERMSLIP_JWKS, audience: "app", engine: lite };
    createGate(options);
    // The full entry's namespace is the default engine, and may be named.
    createGate({ routes, jwks: env.PERMSLIP_JWKS, audience: "app", engine: full, catalogue: "bundle" });
    const r = await gate.authorizeAsync(request);
    if (!r.allowed && r.status === 403) {
      const body = (await r.response.clone().json()) as ForbiddenBody<LiteExplanation>;
      void body.explanation?.reason;
    }
    return gate.handle(request, (allowed) => fetch(allowed));
  },
};

// @ts-expect-error lite snapshots carry no catalogue
createGate({ routes, jwks: "{}", audience: "app", engine: lite, catalogue: "bundle" });
// @ts-expect-error an engine is a module namespace of permslip or permslip/lite
createGate({ routes, jwks: "{}", audience: "app", engine: { Permslip: lite.Permslip } });
