// The differential corpus (tests/vectors/random-slips.json: random valid slips, signed, with the
// answers of the independent reference evaluator in tests/reference/) replayed through the wasm
// build: native engine, reference and wasm must agree on every check.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as permslip from "permslip";
import { answer, canonical } from "./decisions.mjs";
import { JWKS_JSON, readJson } from "./helpers.mjs";

const corpus = readJson("tests", "vectors", "random-slips.json");

test("the wasm build answers the random-slip corpus like the reference evaluator", () => {
  const { audience, issuer, now } = corpus.meta.verify;
  const keys = permslip.KeySet.parse(JWKS_JSON);
  let checks = 0;
  const failures = [];
  for (const c of corpus.cases) {
    const p = permslip.Permslip.load(c.token, { jwks: keys, audience, issuer, now: now * 1000 });
    for (const { check, expect } of c.checks) {
      let got;
      if (typeof check.resource_level === "string") {
        got = { level: p.resourceLevel(check.resource_level) };
      } else if (Array.isArray(check.menu)) {
        got = answer(p, check.menu, { menu: true }, expect);
      } else {
        got = answer(p, [], check, expect);
      }
      checks += 1;
      if (canonical(got) !== canonical(expect)) {
        failures.push(`${c.seed} ${JSON.stringify(check)}: expected ${JSON.stringify(expect)}, got ${JSON.stringify(got)}`);
      }
    }
  }
  assert.ok(corpus.cases.length >= 50 && checks > 3000, `corpus too small: ${checks} checks`);
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${checks} checks disagree`);
});
