// Replays tests/vectors/ed25519.json (Ed25519 edge cases as snapshot tokens) through a permslip
// module, with each load function and verifier asked for. Shared by Node, Chromium and workerd.
//   combos: [["load" | "loadAsync", "auto" | "wasm" | "platform"], ...]
// Returns one row per case and combination: { name, how, stage, expect, got, by }, where `got` is "ok"
// or the PermslipError code, and `by` the verifier that checked an accepted signature.
export async function replayEd25519(permslip, vectors, combos) {
  const rows = [];
  for (const c of vectors.cases) {
    for (const [fn, verifier] of combos) {
      let got;
      let by = null;
      try {
        const jwks = permslip.KeySet.parse(c.jwks);
        const options = { jwks, audience: vectors.audience, now: vectors.now * 1000, verifier };
        const p = fn === "load" ? permslip.Permslip.load(c.token, options) : await permslip.Permslip.loadAsync(c.token, options);
        got = "ok";
        by = p.verifiedBy;
        p.free();
      } catch (e) {
        got = e instanceof permslip.PermslipError ? e.code : `unexpected: ${e}`;
      }
      rows.push({ name: c.name, how: `${fn}/${verifier}`, stage: c.stage, expect: c.expect, got, by });
    }
  }
  return rows;
}

// What a combination must give for a case: the vector's answer, except that asking for the
// platform where it has none is refused as such once the platform would be asked, i.e. for the
// cases decided by the equation (the key set and the strict pre-checks come first).
export function expected(row, platformHas) {
  const [fn, verifier] = row.how.split("/");
  const asksPlatform = row.stage === "equation" || row.stage === "ok";
  if (verifier === "platform" && !platformHas[fn] && asksPlatform) return "platform_unavailable";
  return row.expect;
}
