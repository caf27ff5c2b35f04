// Runs in headless Chromium: the installed package through its browser entry (an import map
// maps "permslip" to it, as a CDN or bundler would), the shared decision table, the battery, and
// the Ed25519 edge cases through every load function and verifier.
import * as permslip from "permslip";
import { battery } from "/tests/js/battery.mjs";
import { runTable } from "/tests/js/decisions.mjs";
import { replayEd25519, subtleEd25519 } from "/tests/js/ed25519.mjs";


async function run() {
  const out = {};
  try {
    permslip.Permslip.load("a.b.c", { jwks: "{}", audience: "x" });
    out.beforeInit = "no error";
  } catch (e) {
    out.beforeInit = e instanceof permslip.PermslipError ? e.code : String(e);
  }
  await permslip.init();
  out.initialized = permslip.isInitialized();
  const f = await (await fetch("/fixtures.json")).json();
  out.battery = battery(permslip, f.sample);
  out.table = f.table ? runTable(permslip, f, f.jwks, f.audience) : null;
  out.userAgent = navigator.userAgent;
  out.subtleEd25519 = await subtleEd25519();
  out.ed25519 = f.ed25519 ? await replayEd25519(permslip, f.ed25519.vectors, f.ed25519.combos) : null;
  return out;
}

window.permslipResults = run().catch((e) => ({ error: String(e && e.stack ? e.stack : e) }));
