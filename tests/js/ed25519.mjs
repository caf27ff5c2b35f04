// Replays tests/vectors/ed25519.json (Ed25519 edge cases as snapshot tokens) through a permslip
// module, with each load function and verifier asked for. Shared by Node, Chromium and workerd.
//   combos: [["load" | "loadAsync", "auto" | "wasm" | "platform"], ...] (COMBOS: all of them)
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

// Whether the runtime's WebCrypto has Ed25519 at all, asked directly (not through permslip), with
// the base point's encoding as the key: true, or the error it gave.
export async function subtleEd25519() {
  const key = new Uint8Array(32).fill(0x66);
  key[0] = 0x58;
  try {
    await crypto.subtle.importKey("raw", key, { name: "Ed25519" }, false, ["verify"]);
    return true;
  } catch (e) {
    return String(e && e.name ? `${e.name}: ${e.message}` : e);
  }
}

// Every load function with every verifier.
export const COMBOS = [
  ["load", "auto"],
  ["load", "wasm"],
  ["load", "platform"],
  ["loadAsync", "auto"],
  ["loadAsync", "wasm"],
  ["loadAsync", "platform"],
];

// What a combination must give for a case: the vector's answer, except that asking for the
// platform where it has none is refused as such once the platform would be asked, i.e. for the
// cases decided by the equation (the key set and the strict pre-checks come first).
function expected(row, platformHas) {
  const [fn, verifier] = row.how.split("/");
  const asksPlatform = row.stage === "equation" || row.stage === "ok";
  if (verifier === "platform" && !platformHas[fn] && asksPlatform) return "platform_unavailable";
  return row.expect;
}

// Every way `rows` (from replayEd25519 over COMBOS) departs from the vectors, as messages: []
// when every case ran with every combination, got its expected answer, and was verified by the
// platform's Ed25519 (`platformName`) wherever the runtime has one for that load function
// (`platformHas`) and the verifier is not "wasm" — by wasm everywhere else.
export function mismatches(rows, vectors, platformHas, platformName) {
  const out = [];
  if (rows.length !== vectors.cases.length * COMBOS.length) {
    out.push(`${rows.length} rows, want ${vectors.cases.length} cases x ${COMBOS.length} combinations`);
  }
  for (const row of rows) {
    const want = expected(row, platformHas);
    if (row.got !== want) out.push(`${row.name} (${row.how}): got ${row.got}, want ${want}`);
    if (row.got === "ok") {
      const [fn, verifier] = row.how.split("/");
      const by = verifier !== "wasm" && platformHas[fn] ? platformName : "wasm";
      if (row.by !== by) out.push(`${row.name} (${row.how}): verified by ${row.by}, want ${by}`);
    }
  }
  return out;
}
