// A Cloudflare-style worker that imports the package's workerd entry (which imports the .wasm
// as a compiled WebAssembly.Module and instantiates it synchronously) and answers over HTTP.
// It also imports `permslip/lite` and its module (`permslip/lite/wasm`, a compiled
// WebAssembly.Module here), handed to the lite entry with `init(module)`.
//   GET  /can?token=…&now=…&permission=…[&scope=…]  -> {"subject":…,"allow":…,"reason":…}
//   POST /run  (fixtures JSON)                -> the battery, the decision table and the Ed25519
//                                                edge cases through each load function and verifier
//   POST /lite (lite fixtures JSON)           -> the lite battery (tests/js/lite-battery.mjs), and
//                                                what the lite entry does before and after init
import * as permslip from "permslip";
import * as lite from "permslip/lite";
import liteModule from "permslip/lite/wasm";
import { liteBattery } from "./tests/js/lite-battery.mjs";
import { battery } from "./tests/js/battery.mjs";
import { runTable } from "./tests/js/decisions.mjs";
import { replayEd25519, subtleEd25519 } from "./tests/js/ed25519.mjs";

// The lite error code of `fn` ("no error"; a checker it returns is freed: workerd has no
// FinalizationRegistry to release it).
const liteCode = (fn) => {
  try {
    fn()?.free();
    return "no error";
  } catch (e) {
    return e instanceof lite.PermslipError ? e.code : `not a PermslipError: ${e}`;
  }
};

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
      if (url.pathname === "/lite" && request.method === "POST") {
        const f = await request.json();
        const token = f.examples.ampliflow.tokens.member;
        const options = { jwks: f.jwks, audience: f.audience, now: f.now };
        const out = { moduleIsCompiled: liteModule instanceof WebAssembly.Module };
        // Before init: nothing to read the module from (a second request finds it initialised).
        out.beforeInit = liteCode(() => lite.Permslip.load(token, options));
        const pending = lite.init(liteModule);
        // The Module is taken before the promise settles: the sync load gets as far as the
        // signature, for which workerd has no synchronous Ed25519 (unless nodejs_compat gives
        // it node:crypto).
        out.takenAtOnce = liteCode(() => lite.Permslip.load(token, options));
        await pending;
        const { record, platform } = await liteBattery(lite, f);
        Object.assign(out, { record, platform, hasFinalizationRegistry: typeof FinalizationRegistry === "function" });
        return Response.json(out);
      }
      return new Response("not found", { status: 404 });
    } catch (e) {
      const code = e instanceof permslip.PermslipError || e instanceof lite.PermslipError ? e.code : "unexpected";
      return Response.json({ error: code, message: String(e && e.stack ? e.stack : e) }, { status: 400 });
    }
  },
};
