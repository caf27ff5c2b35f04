// The refusal corpus (tests/vectors/refusals.json, built by tests/refusals.rs): every token or
// key set in it must fail with its code through the entry of its format, here as natively
// (tests/refusals.rs) and on the JVM (tests/mobile/Replay.kt). One runner for the feature "what
// is refused, and why".
import assert from "node:assert/strict";
import { test } from "node:test";
import * as full from "permslip";
import * as lite from "permslip/lite";
import { AUDIENCE, JWKS_JSON, readJson } from "./helpers.mjs";

const { cases } = readJson("tests", "vectors", "refusals.json");
const NOW_S = 1_764_000_001;

// The code a case fails with through `entry`, or "(loaded)".
function codeOf(entry, c) {
  const o = c.options;
  try {
    const jwks = entry.KeySet.parse(c.jwks ?? JWKS_JSON);
    const options = {
      jwks,
      audience: o.audience ?? AUDIENCE,
      issuer: o.issuer,
      subject: o.subject,
      leeway: o.leeway,
      minSerial: o.minSerial,
      maxTokenBytes: o.maxTokenBytes,
      now: (o.now ?? NOW_S) * 1000,
    };
    const catalogue = c.catalogue === null ? undefined : entry.Catalogue.load(c.catalogue, options);
    entry.Permslip.load(c.token, { ...options, catalogue });
    return "(loaded)";
  } catch (e) {
    assert.ok(e instanceof full.PermslipError, `${c.name}: ${e} is not a PermslipError`);
    assert.equal(e.name, "PermslipError");
    assert.ok(e.message.length > 0 && !e.message.endsWith("."), `${c.name}: message style: ${e.message}`);
    return e.code;
  }
}

test("every full-format refusal fails with its code in the full entry", () => {
  const mine = cases.filter((c) => c.format === "full");
  assert.ok(mine.length > 20);
  for (const c of mine) assert.equal(codeOf(full, c), c.code, c.name);
});

test("every lite-format refusal fails with its code in the lite entry", async () => {
  await lite.init();
  const mine = cases.filter((c) => c.format === "lite");
  assert.ok(mine.length >= 5);
  for (const c of mine) assert.equal(codeOf(lite, c), c.code, c.name);
});

test("both entries throw the one PermslipError class", () => {
  assert.equal(full.PermslipError, lite.PermslipError);
});
