// Type-checked (tsc --noEmit, tests/js/tsconfig.json) against the package's hand-written types,
// resolved through its `exports` like a consumer's project. Never run.
import {
  Catalogue,
  HANDLE_DENY,
  init,
  initSync,
  KeySet,
  Permslip,
  PermslipError,
  type Explanation,
  type NavItem,
  type Profile,
} from "permslip";
import * as explicit from "permslip/init";

declare const token: string;
declare const jwksJson: string;

async function browser(): Promise<void> {
  await init();
  await init(new URL("https://cdn.example/permslip_bg.wasm"));
  await explicit.init(fetch("/permslip_bg.wasm"));
}

function worker(module: WebAssembly.Module, bytes: Uint8Array): void {
  initSync({ module });
  initSync({ module: bytes });
  initSync(module);
}

interface MyItem extends NavItem {
  id: string;
  label: string;
  href?: string;
  children?: MyItem[];
}

function app(): void {
  const keys = KeySet.parse(jwksJson);
  const kids: string[] = keys.kids;
  let p: Permslip;
  try {
    p = Permslip.load(token, {
      jwks: keys,
      audience: "my-app",
      issuer: "https://auth.example",
      leeway: 30,
      minSerial: 4,
      now: () => Date.now(),
    });
  } catch (e) {
    if (e instanceof PermslipError && (e.code === "expired" || e.code === "bad_signature")) {
      p = Permslip.denyAll(e.code === "expired" ? "expired" : "invalid");
    } else {
      throw e;
    }
  }
  Permslip.load(token, { jwks: { keys: [] }, audience: "a", now: new Date() });
  const catalogue = Catalogue.load(token, { jwks: keys, audience: "my-app" });
  const hash: string = catalogue.hash;
  Permslip.load(token, { jwks: keys, audience: "my-app", catalogue });
  console.log(hash);
  Permslip.load(token, { jwks: jwksJson, audience: "a", now: 0 });
  const viaPlatform: Promise<Permslip> = Permslip.loadAsync(token, { jwks: keys, audience: "a", verifier: "platform" });
  const bundle: Promise<Catalogue> = Catalogue.loadAsync(token, { jwks: keys, audience: "a", verifier: "wasm" });
  const by: "node:crypto" | "webcrypto" | "wasm" | null = p.verifiedBy;
  console.log(viaPlatform, bundle, by);

  const yes: boolean = p.can("fax.send") && p.can("fax.send_from", "+15550100");
  const h: number = p.handle("fax.send");
  const fh: number = p.featureHandle("documents", "editor");
  const rh: number = p.resourceHandle("doc-1");
  const answers: Uint8Array = p.checkMany(Uint32Array.of(h, fh, rh, HANDLE_DENY));
  const level: string | null = p.featureLevel("documents");
  const visible: boolean = p.visible("documents") && p.canFeature("documents", "edit") && p.canResource("doc-1", "view");
  const ids: string[] = p.list("documents", "view");
  const why: Explanation = p.explain({ permission: "fax.send" });
  if (!why.allowed && why.reason === "expired") console.log(why.message);
  p.explain({ feature: "documents", action: "edit" });
  p.explain({ resource: "doc-1", action: "view" });
  const profile: Profile = p.profile();
  const scopes: (string[] | null)[] = p.permissions().map((e) => e.scopes);
  const exp: Date = p.expiresAt;
  const who: string = p.subject;
  const serial: number = p.serial;
  const menu: MyItem[] = [{ id: "a", label: "A", requires: { permission: "x" }, children: [] }];
  const shown: MyItem[] = p.filterMenu(menu);
  console.log(kids, yes, answers, level, visible, ids, profile, scopes, exp, who, serial, shown, p.expired, p.levels);
  p.free();
}

// @ts-expect-error: the constructor is private; use Permslip.load
new Permslip();
// @ts-expect-error: a number is not a token
Permslip.load(42, { jwks: "", audience: "a" });
// @ts-expect-error: the audience is required
Permslip.load("t", { jwks: "" });

export { app, browser, worker };
