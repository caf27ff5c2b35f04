// Runs in headless Chromium: the installed package's `permslip/lite` entry (an import map maps
// it to the package's file, as a CDN or bundler would; the .wasm is fetched next to it), and the
// lite battery (tests/js/lite-battery.mjs) over the fixtures the Node harness serves.
import * as lite from "permslip/lite";
import { liteBattery } from "/tests/js/lite-battery.mjs";
import { subtleEd25519 } from "/tests/js/ed25519.mjs";

const code = (fn) => {
  try {
    fn();
    return "no error";
  } catch (e) {
    return e instanceof lite.PermslipError ? e.code : `not a PermslipError: ${e}`;
  }
};

async function run() {
  const out = {};
  const f = await (await fetch("/lite-fixtures.json")).json();
  const token = f.examples.ampliflow.tokens.member;
  const options = { jwks: f.jwks, audience: f.audience, now: f.now };
  // Before anything compiled the module, the synchronous load cannot (no node:fs to read it).
  out.beforeInit = code(() => lite.Permslip.load(token, options));
  out.keySetBeforeInit = code(() => lite.KeySet.parse(f.jwks));
  const { record, platform } = await liteBattery(lite, f);
  out.record = record;
  out.platform = platform;
  // Once compiled, it still has no Ed25519 to verify with synchronously.
  out.afterInit = code(() => lite.Permslip.load(token, options));
  out.subtleEd25519 = await subtleEd25519();
  out.userAgent = navigator.userAgent;
  return out;
}

window.permslipLiteResults = run().catch((e) => ({ error: String(e && e.stack ? e.stack : e) }));
