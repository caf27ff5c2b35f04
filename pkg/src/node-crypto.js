// Installs node:crypto (OpenSSL, synchronous) as the Node entry's platform Ed25519.
//
// "auto" uses it for a key's first HAND_OVER_AFTER verifications, then builds the key's
// fixed-base table in the module (src/token/equation.rs, ~5 ms once) and verifies there: cold,
// node:crypto is the faster (its load, 2-3 ms in a fresh Node 20 process, costs less than
// compiling and running the module's curve code in V8's baseline tier: 10.8 against 12.4 ms to
// a ready checker here); warm, the module is (~80 us against OpenSSL's ~104 us). permslip's
// strict checks run first either way (core.js, "Signature verification"), so both accept
// exactly the same signatures. `verifier: "platform"` always uses node:crypto.
import { setSyncVerifier } from "./core.js";

const HAND_OVER_AFTER = 128;

// process.getBuiltinModule (Node 20.16+) loads a builtin synchronously without importing
// node:module (itself ~1.4 ms here). Without it, node:crypto is not used: wasm verifies.
const getBuiltin = globalThis.process?.getBuiltinModule;
let crypto = null;
const nodeCrypto = () => (crypto ??= getBuiltin("node:crypto"));

if (typeof getBuiltin === "function") {
  setSyncVerifier({
    name: "node:crypto",
    handOverAfter: HAND_OVER_AFTER,
    importKey: (raw) =>
      nodeCrypto().createPublicKey({
        key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") },
        format: "jwk",
      }),
    verify: (key, message, signature) => nodeCrypto().verify(null, message, key, signature),
  });
}
