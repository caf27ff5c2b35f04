// Runs in headless Chromium: the installed package through its browser entry (an import map
// maps "permslip" to it, as a CDN or bundler would), the shared decision table and the battery.
import * as permslip from "permslip";
import { battery } from "/tests/js/battery.mjs";
import { runTable } from "/tests/js/decisions.mjs";

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
  return out;
}

window.permslipResults = run().catch((e) => ({ error: String(e && e.stack ? e.stack : e) }));
