// A Cloudflare-style worker that imports the package's workerd entry (which imports the .wasm
// as a compiled WebAssembly.Module and instantiates it synchronously) and answers over HTTP.
//   GET  /can?token=…&now=…&permission=…[&scope=…]  -> {"subject":…,"allow":…,"reason":…}
//   POST /run  (fixtures JSON)                -> the battery, the decision table and the Ed25519
//                                                edge cases through each load function and verifier
import * as permslip from "permslip";
import { battery } from "./tests/js/battery.mjs";
import { runTable } from "./tests/js/decisions.mjs";
import { replayEd25519, subtleEd25519 } from "./tests/js/ed25519.mjs";


export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    try {
      if (url.pathname === "/can") {
        const token = url.searchParams.get("token");
        const now = Number(url.searchParams.get("now"));
        const p = permslip.Permslip.load(token, { jwks: env.JWKS, audience: env.AUDIENCE, now });
        const permission = url.searchParams.get("permission");
        const scope = url.searchParams.get("scope") ?? undefined;
        const e = p.explain({ permission, scope });
        return Response.json({ subject: p.subject, allow: p.can(permission, scope), reason: e.reason });
      }
      if (url.pathname === "/run" && request.method === "POST") {
        const f = await request.json();
        return Response.json({
          initialized: permslip.isInitialized(),
          battery: battery(permslip, f.sample),
          table: f.table ? runTable(permslip, f, f.jwks, f.audience) : null,
          subtleEd25519: await subtleEd25519(),
          ed25519: f.ed25519 ? await replayEd25519(permslip, f.ed25519.vectors, f.ed25519.combos) : null,
        });
      }
      return new Response("not found", { status: 404 });
    } catch (e) {
      const code = e instanceof permslip.PermslipError ? e.code : "unexpected";
      return Response.json({ error: code, message: String(e && e.stack ? e.stack : e) }, { status: 400 });
    }
  },
};
