// (a1) The shared decision table (tests/vectors/decisions.json) against the golden snapshots
// (tests/golden/<example>/<user>.jwt, with catalogue.jwt when the example's slips name a
// catalogue bundle), answered through the JS API as tests/vectors.rs does
// natively.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as permslip from "permslip";
import { canonical, runTable } from "./decisions.mjs";
import { AUDIENCE, decisionFixtures, JWKS_JSON } from "./helpers.mjs";

const fixtures = decisionFixtures();

test("decision table: every case answers as expected", { skip: fixtures.skip }, () => {
  const { table } = fixtures;
  assert.ok(table.cases.length > 100, "the decision table lost its cases");
  assert.ok(Object.keys(fixtures.catalogues).length > 0, "no example exercises a catalogue bundle");
  const results = runTable(permslip, fixtures, JWKS_JSON, AUDIENCE);
  const failures = results
    .filter((r) => !r.ok)
    .map((r) => {
      const c = table.cases[r.i];
      return `#${r.i} [${c.rule}] ${c.example}/${c.user} ${JSON.stringify(c.check)}: expected ${canonical(c.expect)}, got ${canonical(r.got)}`;
    });
  assert.deepEqual(failures, [], `${failures.length} of ${results.length} cases failed:\n${failures.join("\n")}`);
});
